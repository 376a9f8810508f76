namespace Cerebro.Server.Persistence;

/// <summary>A task of an agent's latest declaration that Cerebro refused, why, and what was declared (as sent, unvalidated).</summary>
public sealed class TaskRefusalRecord
{
    public long Id { get; set; }
    public string Agent { get; set; } = null!;
    public string Task { get; set; } = null!;
    public string Reason { get; set; } = null!;
    public DateTime RefusedAt { get; set; }

    /// <summary>Null when the declaration had none (which may be why it was refused).</summary>
    public string? Owner { get; set; }

    /// <summary>JSON array of <see cref="Cerebro.Contracts.UpstreamDeclaration"/>.</summary>
    public string UpstreamsJson { get; set; } = "[]";

    public string? Cron { get; set; }
}

namespace Cerebro.Server.Persistence;

/// <summary>An accepted task declaration and its place in the graph.</summary>
public sealed class TaskRecord
{
    public string Name { get; set; } = null!;
    public string Agent { get; set; } = null!;
    public string Owner { get; set; } = null!;
    public string? Description { get; set; }

    /// <summary>JSON array of <see cref="Cerebro.Contracts.UpstreamDeclaration"/>.</summary>
    public string UpstreamsJson { get; set; } = "[]";

    public string? Cron { get; set; }
    public double? AckTimeoutSeconds { get; set; }
    public double? StartTimeoutSeconds { get; set; }
    public double? CompleteTimeoutSeconds { get; set; }

    /// <summary>runnable or unresolved.</summary>
    public string Status { get; set; } = null!;

    public string? StatusReason { get; set; }
    public DateTime DeclaredAt { get; set; }
}

namespace Cerebro.Server.Persistence;

/// <summary>A task of an agent's latest declaration that Cerebro refused, and why.</summary>
public sealed class TaskRefusalRecord
{
    public long Id { get; set; }
    public string Agent { get; set; } = null!;
    public string Task { get; set; } = null!;
    public string Reason { get; set; } = null!;
    public DateTime RefusedAt { get; set; }
}

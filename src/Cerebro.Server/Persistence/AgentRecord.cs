namespace Cerebro.Server.Persistence;

/// <summary>What Cerebro knows of an agent: its last declaration, heartbeat and verdict.</summary>
public sealed class AgentRecord
{
    public string Name { get; set; } = null!;

    /// <summary>ready or stopping, as the agent said; offline is derived from <see cref="LastSeenAt"/>.</summary>
    public string State { get; set; } = null!;

    public Guid Instance { get; set; }
    public string? Version { get; set; }
    public int MaxConcurrency { get; set; }
    public DateTime ReadyAt { get; set; }
    public DateTime LastSeenAt { get; set; }
    public DateTime? LastHeartbeatAt { get; set; }
    public int Running { get; set; }
    public int Queued { get; set; }

    /// <summary>accepted or rejected.</summary>
    public string LastVerdict { get; set; } = null!;

    public string? LastVerdictReason { get; set; }
}

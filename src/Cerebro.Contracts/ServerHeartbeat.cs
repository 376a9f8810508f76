namespace Cerebro.Contracts;

/// <summary>An agent is alive; sent periodically.</summary>
public sealed class ServerHeartbeat
{
    /// <summary>The agent's name.</summary>
    public required string Agent { get; init; }

    /// <summary>The process instance, as in <see cref="ServerReady.Instance"/>.</summary>
    public required Guid Instance { get; init; }

    /// <summary>Task runs executing now.</summary>
    public int Running { get; init; }

    /// <summary>Task runs accepted but waiting for a free slot.</summary>
    public int Queued { get; init; }

    /// <summary>When the agent sent the message.</summary>
    public required DateTimeOffset SentAt { get; init; }
}

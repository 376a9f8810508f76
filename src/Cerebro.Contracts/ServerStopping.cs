namespace Cerebro.Contracts;

/// <summary>An agent is shutting down: it accepts no new invokes and drains what it runs.</summary>
public sealed class ServerStopping
{
    /// <summary>The agent's name.</summary>
    public required string Agent { get; init; }

    /// <summary>The process instance, as in <see cref="ServerReady.Instance"/>.</summary>
    public required Guid Instance { get; init; }

    /// <summary>Why, free text.</summary>
    public string? Reason { get; init; }

    /// <summary>When the agent sent the message.</summary>
    public required DateTimeOffset SentAt { get; init; }
}

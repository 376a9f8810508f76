namespace Cerebro.Contracts;

/// <summary>An agent is up and declares every task it is responsible for, replacing its earlier declaration.</summary>
public sealed class ServerReady
{
    /// <summary>The agent's name.</summary>
    public required string Agent { get; init; }

    /// <summary>A new id for each start of the agent process, so a reboot is told apart from a repeat.</summary>
    public required Guid Instance { get; init; }

    /// <summary>The agent software's version, free text.</summary>
    public string? Version { get; init; }

    /// <summary>How many tasks the agent runs at once; more invokes wait in its queue.</summary>
    public int MaxConcurrency { get; init; } = 1;

    /// <summary>Every task the agent is responsible for.</summary>
    public IReadOnlyList<TaskDeclaration> Tasks { get; init; } = [];

    /// <summary>When the agent sent the message.</summary>
    public required DateTimeOffset SentAt { get; init; }
}

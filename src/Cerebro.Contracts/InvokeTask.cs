using System.Text.Json;

namespace Cerebro.Contracts;

/// <summary>Cerebro tells an agent to run a task now. The message id is the same for every copy of one attempt.</summary>
public sealed class InvokeTask
{
    /// <summary>The task run: one task in one run.</summary>
    public required Guid TaskRunId { get; init; }

    /// <summary>The run the task run belongs to.</summary>
    public required Guid RunId { get; init; }

    /// <summary>The task's name.</summary>
    public required string Task { get; init; }

    /// <summary>The attempt, starting at 1; an agent runs each (task run, attempt) at most once.</summary>
    public required int Attempt { get; init; }

    /// <summary>The run's parameters.</summary>
    public IReadOnlyDictionary<string, JsonElement> Parameters { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>When Cerebro sent the invoke.</summary>
    public required DateTimeOffset InvokedAt { get; init; }

    /// <summary>Seconds Cerebro waits for <c>task.queued</c> or <c>task.started</c> before it records an error.</summary>
    public required double AckTimeoutSeconds { get; init; }
}

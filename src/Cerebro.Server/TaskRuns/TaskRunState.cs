using MassTransit;

namespace Cerebro.Server.TaskRuns;

/// <summary>One task in one run: the saga the agents' task events drive.</summary>
public sealed class TaskRunState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public int Version { get; set; }

    public Guid RunId { get; set; }
    public string Task { get; set; } = null!;
    public string Agent { get; set; } = null!;
    public string Owner { get; set; } = null!;
    public int Attempt { get; set; } = 1;

    /// <summary>Place in the run's plan (topological order), for display.</summary>
    public int Position { get; set; }

    /// <summary>Task runs of the same run that must complete before this one is invoked.</summary>
    public List<Guid> Upstreams { get; set; } = [];

    /// <summary>
    /// How many of <see cref="Upstreams"/> have not succeeded yet. Each upstream decrements it once, in the transaction
    /// that stores its own completion when it is the last one waited for, else just after that commit; so a task with
    /// many upstreams costs one row update per upstream, not a message each.
    /// </summary>
    public int WaitingCount { get; set; }

    public List<Guid> Downstreams { get; set; } = [];

    public string ParametersJson { get; set; } = "{}";
    public string? TraceParent { get; set; }

    public double AckTimeoutSeconds { get; set; }
    public double StartTimeoutSeconds { get; set; }
    public double CompleteTimeoutSeconds { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? InvokedAt { get; set; }
    public DateTime? QueuedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    public string? Error { get; set; }

    /// <summary><c>agent</c> when the agent reported the error, <c>cerebro</c> when Cerebro decided it.</summary>
    public string? ErrorSource { get; set; }

    public string? ResultJson { get; set; }

    /// <summary>For a reused task run: the earlier successful task run whose result stands in.</summary>
    public Guid? ReusedTaskRunId { get; set; }

    /// <summary>The pending deadline as Unix milliseconds: a plain number so the sweeper's SQL is the same on every provider.</summary>
    public long? DeadlineDueMs { get; set; }

    public string? DeadlineKind { get; set; }

    /// <summary>When a sweeper claimed the due deadline; another sweeper may re-claim it after a lease.</summary>
    public long? DeadlineClaimedMs { get; set; }
}

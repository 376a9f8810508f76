using System.Text.Json;

namespace Cerebro.Server.Api;

public sealed record AgentView(string Name, string State, Guid Instance, string? Version, int MaxConcurrency,
    DateTime ReadyAt, DateTime LastSeenAt, DateTime? LastHeartbeatAt, int Running, int Queued,
    string LastVerdict, string? LastVerdictReason, IReadOnlyList<string> Tasks, IReadOnlyList<TaskProblemView> Refused);

public sealed record TaskProblemView(string Task, string Reason);

public sealed record UpstreamView(string Task, string Kind, double? FreshWithinSeconds);

public sealed record TimeoutsView(double AckSeconds, double StartSeconds, double CompleteSeconds);

public sealed record TaskView(string Name, string Agent, string? Owner, string? Description, IReadOnlyList<UpstreamView> Upstreams,
    IReadOnlyList<string> Downstreams, string? Cron, TimeoutsView? Timeouts, string Status, string? Reason, DateTime DeclaredAt);

/// <param name="Trigger">api (the default) or cli, as the run records it.</param>
public sealed record StartRunBody(string? Task, Dictionary<string, JsonElement>? Parameters, Guid? RunId, string? RequestedBy, string? Trigger = null);

public sealed record RunStarted(Guid RunId);

public sealed record ErrorView(string Message, string Source);

public sealed record TaskRunView(Guid TaskRunId, string Task, string Agent, string Owner, string State, int Attempt,
    IReadOnlyList<string> Upstreams, IReadOnlyList<string> WaitingFor, DateTime CreatedAt, DateTime? InvokedAt, DateTime? QueuedAt,
    DateTime? StartedAt, DateTime? FinishedAt, ErrorView? Error, JsonElement? Result, Guid? ReusedTaskRunId, DateTime? DeadlineAt, string? DeadlineKind);

public sealed record RunView(Guid RunId, string Task, string Status, string Trigger, string? RequestedBy, DateTime CreatedAt,
    DateTime? FinishedAt, JsonElement Parameters, IReadOnlyList<TaskRunView> Tasks);

public sealed record RunSummaryView(Guid RunId, string Task, string Status, string Trigger, DateTime CreatedAt, DateTime? FinishedAt,
    int TotalTaskRuns);

public sealed record IgnoredMessageView(long Id, DateTime At, string Disposition, string Reason, Guid? MessageId, string? Type,
    string? Sender, Guid? RunId, Guid? TaskRunId, string? Body);

public sealed record ScheduleView(string Task, string Cron, DateTime NextRunAt, DateTime? LastFiredAt, Guid? LastRunId, string? LastOutcome);

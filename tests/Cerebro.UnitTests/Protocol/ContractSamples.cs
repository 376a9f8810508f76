using System.Text.Json;
using Cerebro.Contracts;

namespace Cerebro.UnitTests.Protocol;

/// <summary>
/// Realistic instances of every contract: <c>full</c> sets every optional member, <c>minimal</c> only the required
/// ones, so both the filled and the null/default shape of each message meet its schema.
/// </summary>
internal static class ContractSamples
{
    public const string Full = "full";
    public const string Minimal = "minimal";

    private static readonly Guid RunId = Guid.Parse("c1f3e5a7-2b4d-4c6e-8f0a-1b3d5f7a9c2e");
    private static readonly Guid TaskRunId = Guid.Parse("5b0e8a52-3d1c-4f7a-8e2b-9c6d4a1f0e37");
    private static readonly Guid Instance = Guid.Parse("7d4c2b1a-5e6f-4a3b-9c8d-0e1f2a3b4c5d");
    private static readonly DateTimeOffset At = new(2026, 11, 22, 9, 20, 0, 123, TimeSpan.FromHours(1));

    public static object Create(string messageType, string variant)
    {
        var full = variant == Full;
        return messageType switch
        {
            MessageTypes.ServerReady => full
                ? new ServerReady
                {
                    Agent = "task-server-py",
                    Instance = Instance,
                    Version = "1.0.0",
                    MaxConcurrency = 2,
                    Tasks =
                    [
                        new TaskDeclaration
                        {
                            Name = "score-customers",
                            Owner = "team-py",
                            Description = "Scores every customer.",
                            Upstreams = [new UpstreamDeclaration { Task = "extract-customers" }],
                            Cron = "*/30 * * * * *",
                            Timeouts = new TaskTimeouts { AckSeconds = 15, StartSeconds = 300, CompleteSeconds = 600.5 },
                        },
                        new TaskDeclaration
                        {
                            Name = "export-scores",
                            Owner = "team-py",
                            Upstreams = [new UpstreamDeclaration { Task = "score-customers", FreshWithinSeconds = 3600 }],
                            Timeouts = new TaskTimeouts { CompleteSeconds = 60 },
                        },
                    ],
                    SentAt = At,
                }
                : new ServerReady { Agent = "task-server-py", Instance = Instance, SentAt = At },
            MessageTypes.ServerHeartbeat => new ServerHeartbeat
            {
                Agent = "task-server-py",
                Instance = Instance,
                Running = full ? 2 : 0,
                Queued = full ? 1 : 0,
                SentAt = At,
            },
            MessageTypes.ServerStopping => new ServerStopping
            {
                Agent = "task-server-py",
                Instance = Instance,
                Reason = full ? "SIGTERM" : null,
                SentAt = At,
            },
            MessageTypes.TaskQueued => new TaskQueued
            {
                TaskRunId = TaskRunId, RunId = RunId, Task = "score-customers", Attempt = 1, Agent = "task-server-py", At = At,
            },
            MessageTypes.TaskStarted => new TaskStarted
            {
                TaskRunId = TaskRunId, RunId = RunId, Task = "score-customers", Attempt = 2, Agent = "task-server-py", At = At,
            },
            MessageTypes.TaskCompleted => new TaskCompleted
            {
                TaskRunId = TaskRunId,
                RunId = RunId,
                Task = "score-customers",
                Attempt = 1,
                Agent = "task-server-py",
                At = At,
                Result = full ? Json("""{ "customersScored": 1250, "files": ["scores.csv"] }""") : null,
            },
            MessageTypes.TaskFailed => new TaskFailed
            {
                TaskRunId = TaskRunId,
                RunId = RunId,
                Task = "export-scores",
                Attempt = 1,
                Agent = "task-server-py",
                At = At,
                Error = "export-scores failed: the CRM answered 503 Service Unavailable",
                ErrorType = full ? "HttpRequestException" : null,
            },
            MessageTypes.RunRequested => full
                ? new RunRequested
                {
                    Task = "export-scores",
                    Parameters = new Dictionary<string, JsonElement>
                    {
                        ["durationMs"] = Json("500"),
                        ["fail"] = Json("""["export-scores"]"""),
                    },
                    RunId = RunId,
                    RequestedBy = "alice via cerebro-cli",
                }
                : new RunRequested { Task = "export-scores" },
            MessageTypes.InvokeTask => new InvokeTask
            {
                TaskRunId = TaskRunId,
                RunId = RunId,
                Task = "score-customers",
                Attempt = 1,
                Parameters = full
                    ? new Dictionary<string, JsonElement> { ["durationMs"] = Json("250"), ["region"] = Json("\"eu\"") }
                    : new Dictionary<string, JsonElement>(),
                InvokedAt = At,
                AckTimeoutSeconds = 10,
            },
            MessageTypes.DeclarationAccepted => new DeclarationAccepted
            {
                Agent = "task-server-py",
                Instance = Instance,
                Accepted = full ? ["score-customers", "export-scores"] : [],
                Unresolved = full
                    ? [new TaskProblem { Task = "score-customers", Reason = "upstream extract-customers is declared by no agent" }]
                    : [],
                At = At,
            },
            MessageTypes.DeclarationRejected => new DeclarationRejected
            {
                Agent = "task-server-py",
                Instance = Instance,
                Reason = "1 of 3 declared tasks refused",
                Refused = full
                    ? [new TaskProblem { Task = "extract-customers", Reason = "already declared by agent task-server-a" }]
                    : [],
                Accepted = full ? ["score-customers", "export-scores"] : [],
                At = At,
            },
            MessageTypes.TaskRunErrored => new TaskRunErrored
            {
                RunId = RunId,
                TaskRunId = TaskRunId,
                Task = "score-customers",
                Agent = "task-server-py",
                Owner = "team-py",
                Attempt = 1,
                Error = "ack timeout: no task.queued or task.started within 10 s of the invoke",
                Source = "cerebro",
                Blocks = full ? ["export-scores"] : [],
                At = At,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(messageType), messageType, "no sample for this message type"),
        };
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

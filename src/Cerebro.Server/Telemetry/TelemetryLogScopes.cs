using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;
using MassTransit;

namespace Cerebro.Server.Telemetry;

/// <summary>The logging scopes of Cerebro's sagas (see <see cref="SagaLogScopeFilter{TSaga}"/>), added in their saga definitions.</summary>
internal static class TelemetryLogScopes
{
    public const string RunId = "RunId";
    public const string TaskRunId = "TaskRunId";
    public const string Task = "Task";
    public const string Agent = "Agent";
    public const string Attempt = "Attempt";
    public const string Trigger = "Trigger";
    public const string TraceId = "TraceId";

    public static void UseTelemetryLogScope(this ISagaConfigurator<TaskRunState> saga, IRegistrationContext context) =>
        saga.UseFilter(new SagaLogScopeFilter<TaskRunState>(Logger(context), s => new Dictionary<string, object?>(6)
        {
            [RunId] = s.RunId,
            [TaskRunId] = s.CorrelationId,
            [Task] = s.Task,
            [Agent] = s.Agent,
            [Attempt] = s.Attempt,
            [TraceId] = TraceParents.TraceIdOf(s.TraceParent),
        }));

    public static void UseTelemetryLogScope(this ISagaConfigurator<RunState> saga, IRegistrationContext context) =>
        saga.UseFilter(new SagaLogScopeFilter<RunState>(Logger(context), s => new Dictionary<string, object?>(4)
        {
            [RunId] = s.CorrelationId,
            [Task] = s.Task,
            [Trigger] = s.Trigger,
            [TraceId] = TraceParents.TraceIdOf(s.TraceParent),
        }));

    private static ILogger Logger(IServiceProvider services) => services.GetRequiredService<ILoggerFactory>().CreateLogger("Cerebro.Sagas");
}

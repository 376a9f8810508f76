using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Server.Agents;
using Cerebro.Server.Telemetry;
using MassTransit;

namespace Cerebro.Server.TaskRuns;

/// <summary>Sends task runs their invokes and records each on its task run: the saga and the run launcher both invoke through it.</summary>
internal static class TaskRunInvoker
{
    /// <summary>
    /// Records the invoke in <paramref name="taskRun"/> (time, acknowledgement deadline, the task run's span
    /// context) and sends it to the agent. The caller moves it to invoked and stores it; the invoke goes out first, so a crash in
    /// between leaves the task run where a retry invokes it again under the same message id, which the agent drops as
    /// a duplicate.
    /// </summary>
    public static async Task InvokeAsync(ISendEndpointProvider sendEndpoints, TaskRunState taskRun, DateTimeOffset now)
    {
        using var invokeSpan = TaskRunTelemetry.StartInvoke(taskRun);
        taskRun.InvokedAt = now.UtcDateTime;
        SetDeadline(taskRun, DeadlineKinds.Ack, now, taskRun.AckTimeoutSeconds);
        var invoke = new InvokeTask
        {
            TaskRunId = taskRun.CorrelationId,
            RunId = taskRun.RunId,
            Task = taskRun.Task,
            Attempt = taskRun.Attempt,
            Parameters = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(taskRun.ParametersJson, WireJson.Options) ?? [],
            InvokedAt = now,
            AckTimeoutSeconds = taskRun.AckTimeoutSeconds,
        };
        await sendEndpoints.SendToAgent(taskRun.Agent, MessageTypes.InvokeTask, invoke,
            AgentMessaging.InvokeMessageId(taskRun.CorrelationId, taskRun.Attempt), taskRun.TraceParent).ConfigureAwait(false);
    }

    public static void SetDeadline(TaskRunState taskRun, string kind, DateTimeOffset now, double seconds)
    {
        taskRun.DeadlineKind = kind;
        taskRun.DeadlineDueMs = now.AddSeconds(seconds).ToUnixTimeMilliseconds();
        taskRun.DeadlineClaimedMs = null;
    }
}

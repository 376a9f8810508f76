using System.Diagnostics;
using Cerebro.Contracts;
using Cerebro.Server.Deadlines;
using Cerebro.Server.Hosting;
using Cerebro.Server.Messages;
using Cerebro.Server.Persistence;
using Cerebro.Server.Runs;
using Cerebro.Server.Telemetry;
using MassTransit;
using Headers = Cerebro.Contracts.Headers;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Agents;

/// <summary>
/// The door between the agents' plain-JSON protocol and Cerebro: checks each message (type, version, sender), applies
/// server messages, forwards task events to the task-run saga (those of agents that do not publish them to the
/// task-events exchange, see <see cref="AgentTaskEventFilter"/>), and launches requested runs. A message that breaks the
/// protocol is recorded as rejected and thrown to the error queue, never dropped.
/// </summary>
public sealed class AgentEventConsumer(DeclarationService declarations, RunLauncher launcher, CerebroDbContext db,
    IgnoredMessageLog ignored, TimeProvider clock, ILogger<AgentEventConsumer> logger) : IConsumer<AgentMessage>
{
    public async Task Consume(ConsumeContext<AgentMessage> context)
    {
        var body = context.ReceiveContext.Body.GetBytes();
        try
        {
            var (type, sender) = AgentMessageChecks.CheckEnvelope(context, Topology.EventsExchange);
            await DispatchAsync(context, type, sender, body).ConfigureAwait(false);
        }
        catch (ProtocolViolationException ex)
        {
            await ignored.RecordAsync(context, IgnoredMessageLog.Rejected, ex.Message, body: AgentMessaging.Describe(body)).ConfigureAwait(false);
            throw;
        }
    }

    private async Task DispatchAsync(ConsumeContext context, string type, string sender, byte[] body)
    {
        switch (type)
        {
            case MessageTypes.ServerReady:
                var reading = Stopwatch.GetTimestamp();
                var ready = AgentMessageChecks.ReadServerReady(body);
                logger.LogDebug("server.ready of agent {Agent}: {Bytes} bytes read in {Elapsed:0} ms", ready.Agent, body.Length,
                    Stopwatch.GetElapsedTime(reading).TotalMilliseconds);
                AgentMessageChecks.CheckAgent(ready.Agent, sender);
                await declarations.DeclareAsync(ready, context, context.CancellationToken).ConfigureAwait(false);
                break;
            case MessageTypes.ServerHeartbeat:
                var heartbeat = AgentMessageChecks.Read<ServerHeartbeat>(body, type);
                AgentMessageChecks.CheckAgent(heartbeat.Agent, sender);
                await RecordHeartbeatAsync(context, heartbeat).ConfigureAwait(false);
                break;
            case MessageTypes.ServerStopping:
                var stopping = AgentMessageChecks.Read<ServerStopping>(body, type);
                AgentMessageChecks.CheckAgent(stopping.Agent, sender);
                await RecordStoppingAsync(context, stopping).ConfigureAwait(false);
                break;
            case MessageTypes.TaskQueued:
                await ForwardAsync(context, AgentMessageChecks.Read<TaskQueued>(body, type), sender).ConfigureAwait(false);
                break;
            case MessageTypes.TaskStarted:
                await ForwardAsync(context, AgentMessageChecks.Read<TaskStarted>(body, type), sender).ConfigureAwait(false);
                break;
            case MessageTypes.TaskCompleted:
                await ForwardAsync(context, AgentMessageChecks.Read<TaskCompleted>(body, type), sender).ConfigureAwait(false);
                break;
            case MessageTypes.TaskFailed:
                await ForwardAsync(context, AgentMessageChecks.Read<TaskFailed>(body, type), sender).ConfigureAwait(false);
                break;
            case DeadlineDue.Type:
                if (sender != Topology.CerebroSender || AgentMessageChecks.CameThrough(context, Topology.EventsExchange))
                    throw new ProtocolViolationException($"'{DeadlineDue.Type}' is Cerebro's own message; agents may not send it (sender '{sender}')");
                await RelayDeadlineAsync(context, AgentMessageChecks.Read<DeadlineDue>(body, type)).ConfigureAwait(false);
                break;
            case MessageTypes.RunRequested:
                await LaunchAsync(context, AgentMessageChecks.Read<RunRequested>(body, type), sender).ConfigureAwait(false);
                break;
            default:
                throw new ProtocolViolationException($"unknown message type '{type}'");
        }
    }

    private static async Task ForwardAsync<T>(ConsumeContext context, T message, string sender)
        where T : TaskRunEvent
    {
        AgentMessageChecks.CheckTaskEvent(message, sender);
        using var span = TaskRunTelemetry.StartAgentEvent(context, message);
        var endpoint = await context.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
        await endpoint.Send(message, forwarded =>
        {
            // The saga records ignored events under the agent's own message id, so operators can find what the agent sent.
            forwarded.MessageId = context.MessageId;
            forwarded.Headers.Set(Headers.Type, context.Headers.Get<string>(Headers.Type));
            forwarded.Headers.Set(Headers.Sender, sender);
            if (context.Headers.Get<string>(Headers.TraceParent) is { } traceParent)
                forwarded.Headers.Set(Headers.TraceParent, traceParent);
        }, context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The deadline has waited its turn behind the agent's earlier messages, which are now with the saga: pass it on,
    /// unless the stored task run has already moved past it (the usual case when Cerebro was only busy: the saga need
    /// not load it again). The saga checks it against its own clock and state, so a forged one fires nothing early.
    /// </summary>
    private async Task RelayDeadlineAsync(ConsumeContext context, DeadlineDue deadline)
    {
        var awaited = await db.TaskRuns.AsNoTracking().AnyAsync(t => t.CorrelationId == deadline.TaskRunId
            && t.DeadlineKind == deadline.Kind && t.DeadlineDueMs == deadline.DueMs, context.CancellationToken).ConfigureAwait(false);
        if (!awaited)
        {
            logger.LogDebug("Deadline {Kind} of task run {TaskRunId} is no longer awaited; dropped", deadline.Kind, deadline.TaskRunId);
            return;
        }

        var endpoint = await context.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
        await endpoint.Send(new TaskRunDeadlineExpired(deadline.TaskRunId, deadline.Kind, deadline.DueMs), context.CancellationToken)
            .ConfigureAwait(false);
    }

    private async Task LaunchAsync(ConsumeContext context, RunRequested request, string sender)
    {
        // A redelivered request must not start a second run: without an id of its own, the message id is the run id.
        var runId = request.RunId ?? context.MessageId ?? Guid.CreateVersion7();
        var launch = await launcher.LaunchAsync(
            new RunRequest(request.Task, request.Parameters, "event", request.RequestedBy ?? sender, runId,
                context.Headers.Get<string>(Headers.TraceParent)),
            context.CancellationToken).ConfigureAwait(false);
        if (launch.Outcome is RunLaunchOutcome.UnknownTask or RunLaunchOutcome.Unresolved)
            await ignored.RecordAsync(context, IgnoredMessageLog.Rejected, $"run of '{request.Task}' not started: {launch.Reason}", runId).ConfigureAwait(false);
    }

    private async Task RecordHeartbeatAsync(ConsumeContext context, ServerHeartbeat heartbeat)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var updated = await db.Agents.Where(a => a.Name == heartbeat.Agent)
            .ExecuteUpdateAsync(a => a
                .SetProperty(x => x.LastSeenAt, now)
                .SetProperty(x => x.LastHeartbeatAt, now)
                .SetProperty(x => x.Running, heartbeat.Running)
                .SetProperty(x => x.Queued, heartbeat.Queued), context.CancellationToken).ConfigureAwait(false);
        if (updated == 0)
            await ignored.RecordAsync(context, IgnoredMessageLog.Ignored, $"heartbeat from agent '{heartbeat.Agent}', which never sent server.ready").ConfigureAwait(false);
    }

    private async Task RecordStoppingAsync(ConsumeContext context, ServerStopping stopping)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        logger.LogInformation("Agent {Agent} is stopping: {Reason}", stopping.Agent, stopping.Reason ?? "no reason given");
        var updated = await db.Agents.Where(a => a.Name == stopping.Agent && a.Instance == stopping.Instance)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.State, "stopping").SetProperty(x => x.LastSeenAt, now),
                context.CancellationToken).ConfigureAwait(false);
        if (updated == 0)
            await ignored.RecordAsync(context, IgnoredMessageLog.Ignored, $"server.stopping from agent '{stopping.Agent}' instance {stopping.Instance}, which is not its current instance").ConfigureAwait(false);
    }

}

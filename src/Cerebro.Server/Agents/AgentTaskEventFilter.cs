using Cerebro.Contracts;
using Cerebro.Server.Persistence;
using Cerebro.Server.Telemetry;
using MassTransit;

namespace Cerebro.Server.Agents;

/// <summary>
/// On the task-runs queue, in front of the saga: a task event an agent published to
/// <see cref="Topology.TaskEventsExchange"/> did not pass the door (<see cref="AgentEventConsumer"/>), so it is checked
/// here as the door checks it. A violation is recorded as rejected and goes to the error queue, never retried.
/// Cerebro's own messages (MassTransit's envelope) pass untouched.
/// </summary>
internal sealed class AgentTaskEventFilter(IServiceProvider services) : IFilter<ConsumeContext>
{
    private const string EnvelopeMediaType = "application/vnd.masstransit+json";
    private const string TaskEventContentType = "application/json";

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        var throughTaskEvents = AgentMessageChecks.CameThrough(context, Topology.TaskEventsExchange);
        if (!throughTaskEvents && context.ReceiveContext.ContentType?.MediaType == EnvelopeMediaType)
        {
            await next.Send(context).ConfigureAwait(false);
            return;
        }

        TaskRunEvent message;
        try
        {
            message = Check(context);
        }
        catch (ProtocolViolationException ex)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IgnoredMessageLog>().RecordAsync(context, IgnoredMessageLog.Rejected, ex.Message,
                body: AgentMessaging.Describe(context.ReceiveContext.Body.GetBytes())).ConfigureAwait(false);
            throw;
        }

        using var span = TaskRunTelemetry.StartAgentEvent(context, message);
        await next.Send(context).ConfigureAwait(false);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("cerebro-agent-task-events");

    private static TaskRunEvent Check(ConsumeContext context)
    {
        if (context.ReceiveContext.ContentType?.MediaType != TaskEventContentType)
            throw new ProtocolViolationException(
                $"content type '{context.ReceiveContext.ContentType?.MediaType}' is not {TaskEventContentType}; agents publish plain JSON");
        var (type, sender) = AgentMessageChecks.CheckEnvelope(context, Topology.TaskEventsExchange);
        TaskRunEvent message = type switch
        {
            MessageTypes.TaskQueued => Read<TaskQueued>(context, type),
            MessageTypes.TaskStarted => Read<TaskStarted>(context, type),
            MessageTypes.TaskCompleted => Read<TaskCompleted>(context, type),
            MessageTypes.TaskFailed => Read<TaskFailed>(context, type),
            _ => throw new ProtocolViolationException(
                $"'{type}' does not belong on {Topology.TaskEventsExchange}, which takes only task.queued, task.started, task.completed " +
                $"and task.failed; publish it to {Topology.EventsExchange}"),
        };
        AgentMessageChecks.CheckTaskEvent(message, sender);
        return message;
    }

    /// <summary>The saga reads the same message from the context afterwards; MassTransit keeps what was read.</summary>
    private static T Read<T>(ConsumeContext context, string type)
        where T : TaskRunEvent
    {
        try
        {
            if (context.TryGetMessage<T>(out var consumed))
                return consumed.Message;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or System.Runtime.Serialization.SerializationException)
        {
            // Read again below for the reason.
        }

        // Not readable as T: the wire reader names the field at fault.
        _ = AgentMessageChecks.Read<T>(context.ReceiveContext.Body.GetBytes(), type);
        throw new ProtocolViolationException($"the body of '{type}' is not valid");
    }
}

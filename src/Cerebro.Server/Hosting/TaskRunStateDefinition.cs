using Cerebro.Contracts;
using Cerebro.Server.Agents;
using Cerebro.Server.Recovery;
using Cerebro.Server.Messages;
using Cerebro.Server.TaskRuns;
using Cerebro.Server.Telemetry;
using MassTransit;
using MassTransit.Middleware;

namespace Cerebro.Server.Hosting;

/// <summary>
/// The task-run saga's endpoint: messages of one task run are partitioned so they rarely race each other in one
/// process; across processes optimistic concurrency catches the race and the retry reapplies the message.
/// </summary>
internal sealed class TaskRunStateDefinition : SagaDefinition<TaskRunState>
{
    /// <summary>Redeliveries after a failed attempt (a lost optimistic-concurrency race, an invoke not committed yet), in ms.</summary>
    public static readonly int[] RetryIntervals = [0, 10, 25, 50, 100, 250, 500, 1000];

    public TaskRunStateDefinition()
    {
        EndpointName = Endpoints.TaskRunsQueue;
        ConcurrentMessageLimit = 64;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TaskRunState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<ProtocolViolationException>();
            r.Intervals(RetryIntervals);
        });
        endpointConfigurator.UseFilter(new QueueLagFilter(context.GetRequiredService<QueueLag>()));
        if (context.GetRequiredService<TaskEventsRoute>().Exchange is { } taskEvents
            && endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            // Agents publish their task events here directly once a verdict named the exchange: checked as the door
            // would check them, then applied, one hop and one message fewer than through the agent-events queue.
            rabbit.Bind(taskEvents, b =>
            {
                b.ExchangeType = "topic";
                b.RoutingKey = "#";
                b.Durable = true;
            });
            endpointConfigurator.AddDeserializer(new TaskEventSerializerFactory());
            endpointConfigurator.UseFilter(new AgentTaskEventFilter(context));
            // What the filter rejects: any agent message that is not a task event. Never reached.
            endpointConfigurator.Handler<AgentMessage>(m => throw new InvalidOperationException(
                $"agent message {m.MessageId} passed the task-event filter without being a task event"));
            endpointConfigurator.ConfigureError(error =>
            {
                error.UseFilter(new UnreadableMessageFilter(context));
                error.UseFilter(new GenerateFaultFilter());
                error.UseFilter(new ErrorTransportFilter());
            });
        }

        sagaConfigurator.UseTelemetryLogScope(context);
        var partition = endpointConfigurator.CreatePartitioner(64);
        sagaConfigurator.Message<TaskRunReady>(m => m.UsePartitioner(partition, c => c.Message.TaskRunId));
        sagaConfigurator.Message<UpstreamFailed>(m => m.UsePartitioner(partition, c => c.Message.TaskRunId));
        sagaConfigurator.Message<TaskRunDeadlineExpired>(m => m.UsePartitioner(partition, c => c.Message.TaskRunId));
        sagaConfigurator.Message<AgentRestarted>(m => m.UsePartitioner(partition, c => c.Message.TaskRunId));
        sagaConfigurator.Message<TaskQueued>(m => m.UsePartitioner(partition, c => c.Message.TaskRunId));
        sagaConfigurator.Message<TaskStarted>(m => m.UsePartitioner(partition, c => c.Message.TaskRunId));
        sagaConfigurator.Message<TaskCompleted>(m => m.UsePartitioner(partition, c => c.Message.TaskRunId));
        sagaConfigurator.Message<TaskFailed>(m => m.UsePartitioner(partition, c => c.Message.TaskRunId));
    }
}

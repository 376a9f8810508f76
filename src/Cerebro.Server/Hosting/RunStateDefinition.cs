using Cerebro.Server.Messages;
using Cerebro.Server.Runs;
using Cerebro.Server.Telemetry;
using MassTransit;

namespace Cerebro.Server.Hosting;

/// <summary>The run saga's endpoint: every task run of a run reports here, so messages are partitioned by run.</summary>
internal sealed class RunStateDefinition : SagaDefinition<RunState>
{
    public RunStateDefinition()
    {
        EndpointName = Endpoints.RunsQueue;
        ConcurrentMessageLimit = 32;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<RunState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.Intervals(0, 10, 25, 50, 100, 250, 500, 1000));
        sagaConfigurator.UseTelemetryLogScope(context);
        var partition = endpointConfigurator.CreatePartitioner(32);
        sagaConfigurator.Message<TaskRunFinished>(m => m.UsePartitioner(partition, c => c.Message.RunId));
        sagaConfigurator.Message<RunCompletionCheck>(m => m.UsePartitioner(partition, c => c.Message.RunId));
    }
}

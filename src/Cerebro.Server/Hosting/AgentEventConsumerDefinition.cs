using Cerebro.Contracts;
using Cerebro.Server.Agents;
using Cerebro.Server.Deadlines;
using MassTransit;
using MassTransit.Middleware;
using Headers = Cerebro.Contracts.Headers;

namespace Cerebro.Server.Hosting;

/// <summary>The agent-events queue: plain JSON from any agent, bound to the events exchange with <c>#</c>.</summary>
internal sealed class AgentEventConsumerDefinition : ConsumerDefinition<AgentEventConsumer>
{
    public AgentEventConsumerDefinition()
    {
        EndpointName = Topology.AgentEventsQueue;
        ConcurrentMessageLimit = 32;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AgentEventConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConfigureConsumeTopology = false;
        endpointConfigurator.AddDeserializer(new AgentMessageSerializerFactory(), isDefault: true);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<ProtocolViolationException>();
            r.Intervals(0, 10, 50, 100, 250, 500, 1000);
        });
        endpointConfigurator.ConfigureError(error =>
        {
            error.UseFilter(new UnreadableMessageFilter(context));
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });
        // One agent's messages are applied one at a time, in the order they arrived (a heartbeat never overtakes its
        // server.ready), and a due deadline of one of its task runs waits behind them; different agents still proceed
        // in parallel.
        var partition = endpointConfigurator.CreatePartitioner(ConcurrentMessageLimit ?? 32);
        consumerConfigurator.Message<AgentMessage>(m => m.UsePartitioner(partition,
            c => c.Headers.Get<string>(DeadlineDue.AgentHeader) ?? c.Headers.Get<string>(Headers.Sender) ?? ""));
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.Bind(Topology.EventsExchange, b =>
            {
                b.ExchangeType = "topic";
                b.RoutingKey = "#";
                b.Durable = true;
            });
    }
}

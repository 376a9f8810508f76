using Cerebro.Contracts;
using MassTransit;

namespace Cerebro.Worker.Internal;

/// <summary>
/// The application's MassTransit bus (for instance the in-memory bus of the one-process demo). The worker connects
/// its endpoint to it and sends its events to Cerebro's queue <c>cerebro.agent-events</c>; the bus's life is the
/// application's.
/// </summary>
internal sealed class HostBusWorkerTransport : IWorkerTransport
{
    private static readonly Uri EventsAddress = new($"queue:{Topology.AgentEventsQueue}");

    private readonly IBus _bus;
    private readonly IReceiveEndpointConnector _connector;

    public HostBusWorkerTransport(IBus bus, IReceiveEndpointConnector connector)
    {
        _bus = bus;
        _connector = connector;
    }

    public string Description => $"the application's bus {_bus.Address}";

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public HostReceiveEndpointHandle ConnectAgentEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configure) =>
        _connector.ConnectReceiveEndpoint(queueName, (_, endpoint) => configure(endpoint));

    /// <summary>Always to Cerebro's agent-events queue: the application's bus may have no exchanges to publish to.</summary>
    public async Task SendEventAsync<T>(T message, string routingKey, string? exchange, Action<SendContext<T>> stamp,
        CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = await _bus.GetSendEndpoint(EventsAddress).ConfigureAwait(false);
        await endpoint.Send(message, context =>
        {
            stamp(context);
            context.TrySetRoutingKey(routingKey);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Cerebro.Contracts;
using MassTransit;

namespace Cerebro.Worker.Internal;

/// <summary>
/// A MassTransit RabbitMQ bus created and owned by the worker (<c>Bus.Factory</c>, not <c>AddMassTransit</c>, so it
/// never meets the application's own MassTransit registration). Events go to the topic exchange
/// <c>cerebro.events</c> with routing key <c>&lt;agent&gt;.&lt;cerebro-type&gt;</c>; task events to the exchange a
/// verdict named instead, when one did.
/// </summary>
internal sealed class RabbitMqWorkerTransport : IWorkerTransport
{
    private static readonly Uri EventsAddress = new($"exchange:{Topology.EventsExchange}?type=topic&durable=true&autodelete=false");

    private readonly Uri _brokerUri;
    private IBusControl? _bus;
    private volatile ExchangeAddress? _taskEventsAddress;

    public RabbitMqWorkerTransport(string brokerUri)
    {
        _brokerUri = new Uri(brokerUri);
    }

    public string Description => $"RabbitMQ {_brokerUri.Host}:{_brokerUri.Port}{_brokerUri.AbsolutePath}";

    private IBusControl Bus => _bus ?? throw new InvalidOperationException("the worker's RabbitMQ bus is not started");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(_brokerUri, _ => { });
            cfg.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType, isDefault: true);
            cfg.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
        });
        return _bus.StartAsync(cancellationToken);
    }

    public HostReceiveEndpointHandle ConnectAgentEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configure) =>
        Bus.ConnectReceiveEndpoint(queueName, configure);

    public async Task SendEventAsync<T>(T message, string routingKey, string? exchange, Action<SendContext<T>> stamp,
        CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = await Bus.GetSendEndpoint(exchange is null ? EventsAddress : AddressOf(exchange)).ConfigureAwait(false);
        await endpoint.Send(message, context =>
        {
            stamp(context);
            context.SetRoutingKey(routingKey);
            // Unroutable (a Cerebro that no longer binds the exchange): returned, so the send fails instead of vanishing.
            if (exchange is not null && context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                rabbit.Mandatory = true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private Uri AddressOf(string exchange)
    {
        var known = _taskEventsAddress;
        if (known?.Exchange == exchange)
            return known.Address;
        var address = new Uri($"exchange:{exchange}?type=topic&durable=true&autodelete=false");
        _taskEventsAddress = new ExchangeAddress(exchange, address);
        return address;
    }

    private sealed record ExchangeAddress(string Exchange, Uri Address);

    public Task StopAsync(CancellationToken cancellationToken) => _bus?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}

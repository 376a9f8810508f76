using Cerebro.Contracts;
using MassTransit;

namespace Cerebro.Worker.Internal;

/// <summary>
/// A MassTransit RabbitMQ bus created and owned by the worker (<c>Bus.Factory</c>, not <c>AddMassTransit</c>, so it
/// never meets the application's own MassTransit registration). Events go to the topic exchange
/// <c>cerebro.events</c> with routing key <c>&lt;agent&gt;.&lt;cerebro-type&gt;</c>.
/// </summary>
internal sealed class RabbitMqWorkerTransport : IWorkerTransport
{
    private static readonly Uri EventsAddress = new($"exchange:{Topology.EventsExchange}?type=topic&durable=true&autodelete=false");

    private readonly Uri _brokerUri;
    private IBusControl? _bus;

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

    public async Task SendEventAsync<T>(T message, string routingKey, Action<SendContext<T>> stamp, CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = await Bus.GetSendEndpoint(EventsAddress).ConfigureAwait(false);
        await endpoint.Send(message, context =>
        {
            stamp(context);
            context.SetRoutingKey(routingKey);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _bus?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}

using System.Text.Json;
using Cerebro.IntegrationTests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Cerebro.IntegrationTests.Scenarios.Support;

/// <summary>
/// Anyone on the bus, written from protocol/README.md with the plain RabbitMQ client and no Cerebro code: an agent
/// played by the test (it consumes <c>cerebro.agent.&lt;name&gt;</c> and publishes to <c>cerebro.events</c>), or an owner
/// team subscribed to <c>cerebro.notifications</c>. Keeps every message it receives and lets a test wait for one.
/// </summary>
public sealed class AmqpPeer : IAsyncDisposable
{
    public const string EventsExchange = "cerebro.events";
    public const string NotificationsExchange = "cerebro.notifications";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly Lock _gate = new();
    private readonly List<ProtocolMessage> _received = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AmqpPeer(string name, IConnection connection, IChannel channel)
    {
        Name = name;
        _connection = connection;
        _channel = channel;
    }

    /// <summary>The sender name put in <c>cerebro-sender</c> and the routing keys.</summary>
    public string Name { get; }

    /// <summary>Every message received so far, in order of arrival.</summary>
    public IReadOnlyList<ProtocolMessage> Received
    {
        get
        {
            lock (_gate)
                return [.. _received];
        }
    }

    /// <summary>Connects to the virtual host, with publisher confirms on.</summary>
    public static async Task<AmqpPeer> ConnectAsync(RabbitMqVirtualHost virtualHost, string name)
    {
        var connection = await virtualHost.ConnectAsync($"scenario-peer-{name}");
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.ExchangeDeclareAsync(EventsExchange, ExchangeType.Topic, durable: true, autoDelete: false);
        return new AmqpPeer(name, connection, channel);
    }

    /// <summary>Declares the agent queue <c>cerebro.agent.&lt;name&gt;</c> as the protocol says (durable, no arguments) and consumes it.</summary>
    public async Task ConsumeAgentQueueAsync()
    {
        var queue = $"cerebro.agent.{Name}";
        await _channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null);
        await ConsumeAsync(queue);
    }

    /// <summary>Subscribes to an exchange (declared topic and durable, as its owner declares it) with a queue of its own.</summary>
    public async Task SubscribeAsync(string exchange, string bindingKey)
    {
        await _channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = await _channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await _channel.QueueBindAsync(queue.QueueName, exchange, bindingKey);
        await ConsumeAsync(queue.QueueName);
    }

    /// <summary>
    /// Publishes a message to Cerebro: exchange <c>cerebro.events</c> unless another is named, routing key
    /// <c>&lt;name&gt;.&lt;type&gt;</c>, the protocol's headers and properties; returns once the broker confirmed it.
    /// </summary>
    public Task PublishAsync(string type, object body, string exchange = EventsExchange) =>
        PublishRawAsync(type, JsonSerializer.SerializeToUtf8Bytes(body, Json), exchange);

    /// <summary>As <see cref="PublishAsync"/>, with a body of any bytes (a test of what Cerebro does with a bad one).</summary>
    public async Task PublishRawAsync(string type, byte[] body, string exchange = EventsExchange)
    {
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            MessageId = Guid.NewGuid().ToString(),
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?>
            {
                ["cerebro-type"] = type,
                ["cerebro-sender"] = Name,
                ["cerebro-protocol"] = 1,
            },
        };
        await _channel.BasicPublishAsync(exchange, $"{Name}.{type}", mandatory: false, properties, body);
    }

    /// <summary>The first message received (already, or within <paramref name="timeout"/>) that matches.</summary>
    public async Task<ProtocolMessage> WaitForAsync(Func<ProtocolMessage, bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_received.FirstOrDefault(match) is { } found)
                    return found;
                arrived = _arrived.Task;
            }

            try
            {
                await arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                var seen = string.Join("\n", Received.Select(m => "  | " + m));
                throw new TimeoutException($"{Name} received no {what} within {timeout.TotalSeconds:0.#} s; received:\n{seen}");
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task ConsumeAsync(string queue)
    {
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var headers = delivery.BasicProperties.Headers;
            var message = new ProtocolMessage(AmqpHeaders.Text(headers, "cerebro-type"), AmqpHeaders.Text(headers, "cerebro-sender"),
                delivery.BasicProperties.MessageId, delivery.BasicProperties.ContentType, delivery.RoutingKey,
                JsonDocument.Parse(delivery.Body).RootElement.Clone());
            TaskCompletionSource arrived;
            lock (_gate)
            {
                _received.Add(message);
                arrived = _arrived;
                _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            arrived.TrySetResult();
            return Task.CompletedTask;
        };
        await _channel.BasicConsumeAsync(queue, autoAck: true, consumer);
    }
}

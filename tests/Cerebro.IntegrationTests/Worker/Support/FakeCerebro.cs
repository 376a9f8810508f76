using System.Text;
using System.Text.Json;
using Cerebro.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Headers = Cerebro.Contracts.Headers;

namespace Cerebro.IntegrationTests.Worker.Support;

/// <summary>
/// Plays Cerebro with the plain RabbitMQ client: receives what one agent publishes to cerebro.events (its own queue
/// bound with <c>&lt;agent&gt;.#</c>) and sends messages into the agent's queue.
/// </summary>
public sealed class FakeCerebro : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _agent;
    private string _queue = "";
    private readonly Lock _lock = new();
    private readonly List<AgentEvent> _events = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeCerebro(IConnection connection, IChannel channel, string agent)
    {
        _connection = connection;
        _channel = channel;
        _agent = agent;
    }

    public IReadOnlyList<AgentEvent> Events
    {
        get
        {
            lock (_lock)
                return [.. _events];
        }
    }

    public static async Task<FakeCerebro> StartAsync(string amqpUri, string agent)
    {
        var factory = new ConnectionFactory { Uri = new Uri(amqpUri), ClientProvidedName = $"fake-cerebro-{agent}" };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var fake = new FakeCerebro(connection, channel, agent);

        await channel.ExchangeDeclareAsync(Topology.EventsExchange, ExchangeType.Topic, durable: true, autoDelete: false);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue.QueueName, Topology.EventsExchange, $"{agent}.#");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            fake.Add(delivery);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        fake._queue = queue.QueueName;
        return fake;
    }

    /// <summary>Also receives what the agent publishes to <paramref name="exchange"/> (a task-events exchange of this test's own).</summary>
    public async Task ListenOnAsync(string exchange)
    {
        await _channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
        await _channel.QueueBindAsync(_queue, exchange, $"{_agent}.#");
    }

    /// <summary>Waits for the first event, in order of arrival, that matches; fails after the deadline.</summary>
    public async Task<AgentEvent> WaitForAsync(Func<AgentEvent, bool> match, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultWait);
        while (true)
        {
            Task arrived;
            lock (_lock)
            {
                var found = _events.FirstOrDefault(match);
                if (found is not null)
                    return found;
                arrived = _arrived.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"no {what} from {_agent} within {within ?? DefaultWait}; got: {Describe()}");
            await Task.WhenAny(arrived, Task.Delay(left));
        }
    }

    public Task<AgentEvent> WaitForAsync(string type, Guid taskRunId, TimeSpan? within = null) =>
        WaitForAsync(e => e.Is(type, taskRunId), $"{type} of {taskRunId}", within);

    public Task<AgentEvent> WaitForAsync(string type, TimeSpan? within = null) =>
        WaitForAsync(e => e.Type == type, type, within);

    public IReadOnlyList<AgentEvent> Of(Guid taskRunId) => [.. Events.Where(e => e.TaskRunId == taskRunId)];

    /// <summary>Sends a message into the agent's queue the way Cerebro does (default exchange, protocol headers).</summary>
    public async Task SendAsync(string type, object body, Guid? messageId = null, IDictionary<string, object?>? extraHeaders = null)
    {
        var headers = new Dictionary<string, object?>
        {
            [Headers.Type] = type,
            [Headers.Sender] = Topology.CerebroSender,
            [Headers.ProtocolVersion] = Protocol.Version,
        };
        foreach (var (key, value) in extraHeaders ?? new Dictionary<string, object?>())
            headers[key] = value;
        var properties = new BasicProperties
        {
            ContentType = Protocol.ContentType,
            MessageId = (messageId ?? Guid.NewGuid()).ToString(),
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, WireJson.Options);
        await _channel.BasicPublishAsync("", Topology.AgentQueue(_agent), mandatory: false, properties, bytes);
    }

    public Task InvokeAsync(InvokeTask invoke, Guid? messageId = null, IDictionary<string, object?>? extraHeaders = null) =>
        SendAsync(MessageTypes.InvokeTask, invoke, messageId, extraHeaders);

    /// <summary>Ready messages in a queue, or null when the queue does not exist (checked on a throw-away channel).</summary>
    public async Task<uint?> ReadyCountAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
    }

    /// <summary>Polls until the queue holds <paramref name="expected"/> ready messages; fails after the deadline.</summary>
    public async Task WaitForReadyCountAsync(string queue, uint expected, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultWait);
        uint? count;
        while ((count = await ReadyCountAsync(queue)) != expected)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"queue {queue} holds {count?.ToString() ?? "nothing (missing)"} messages, expected {expected}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }

    private void Add(BasicDeliverEventArgs delivery)
    {
        var body = JsonDocument.Parse(delivery.Body.ToArray()).RootElement.Clone();
        var headers = delivery.BasicProperties.Headers is { } h
            ? new Dictionary<string, object?>(h)
            : new Dictionary<string, object?>();
        lock (_lock)
        {
            _events.Add(new AgentEvent(_events.Count, delivery.Exchange, delivery.RoutingKey, delivery.BasicProperties.ContentType,
                delivery.BasicProperties.MessageId, (byte)delivery.BasicProperties.DeliveryMode, headers, body));
            var arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.TrySetResult();
        }
    }

    private string Describe() => string.Join(", ", Events.Select(e => $"{e.Type}({e.TaskRunId})"));
}

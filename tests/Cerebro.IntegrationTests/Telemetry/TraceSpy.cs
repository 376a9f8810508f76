using System.Collections.Concurrent;
using System.Text.Json;
using Cerebro.IntegrationTests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Cerebro.IntegrationTests.Telemetry;

/// <summary>
/// Copies of what travels between Cerebro and the agents, with the AMQP headers: everything published to
/// <c>cerebro.events</c> and to <c>cerebro.task-events</c> (each bound with <c>#</c>), and everything Cerebro sends an agent (a queue of the spy's own bound to
/// the fanout exchange <c>cerebro.agent.&lt;agent&gt;</c> in front of the agent's queue). The agents' own queues are untouched.
/// </summary>
public sealed class TraceSpy : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<SpiedMessage> _messages = new();

    private TraceSpy(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public IReadOnlyList<SpiedMessage> Messages => [.. _messages];

    public static async Task<TraceSpy> StartAsync(RabbitMqVirtualHost virtualHost)
    {
        var connection = await virtualHost.ConnectAsync("telemetry-trace-spy");
        var channel = await connection.CreateChannelAsync();
        var spy = new TraceSpy(connection, channel);
        foreach (var exchange in new[] { "cerebro.events", "cerebro.task-events" })
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false);
            await spy.BindAsync(exchange, "#");
        }
        return spy;
    }

    /// <summary>Copies what Cerebro sends the agent; the exchange must exist (Cerebro declared it when it answered the agent's declaration).</summary>
    public async Task WatchAgentAsync(string agent)
    {
        var exchange = $"cerebro.agent.{agent}";
        await _channel.ExchangeDeclarePassiveAsync(exchange);
        await BindAsync(exchange, "");
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task BindAsync(string exchange, string routingKey)
    {
        var queue = await _channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await _channel.QueueBindAsync(queue.QueueName, exchange, routingKey);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var headers = delivery.BasicProperties.Headers;
            _messages.Enqueue(new SpiedMessage(AmqpHeaders.Text(headers, "cerebro-type"), AmqpHeaders.Text(headers, "cerebro-sender"), AmqpHeaders.Text(headers, "traceparent"),
                AmqpHeaders.Text(headers, "tracestate"), exchange, JsonDocument.Parse(delivery.Body).RootElement.Clone()));
            return Task.CompletedTask;
        };
        await _channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
    }
}

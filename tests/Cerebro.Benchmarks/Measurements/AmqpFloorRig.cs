using System.Collections.Concurrent;
using System.Diagnostics;
using Cerebro.Benchmarks.Infrastructure;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// The physical floor of one Cerebro hop, with plain RabbitMQ.Client and Npgsql: a requester (an agent) publishes a
/// persistent message to a durable queue and waits for the broker's confirm; a responder (the coordinator), on its own
/// connection, consumes it, optionally commits one PostgreSQL transaction (INSERT + COMMIT), publishes a persistent,
/// confirmed reply to another durable queue and then acknowledges the request; the requester receives the reply.
/// </summary>
internal sealed class AmqpFloorRig : IAsyncDisposable
{
    private const string Requests = "floor.requests";
    private const string Replies = "floor.replies";
    private static readonly byte[] Payload = new byte[300];

    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _pending = new();
    private readonly NpgsqlDataSource _database;
    private IConnection _requesterConnection = null!;
    private IConnection _responderConnection = null!;
    private IChannel _requestChannel = null!;
    private IChannel _replyConsumerChannel = null!;
    private IChannel _responderConsumerChannel = null!;
    private IChannel _responderPublishChannel = null!;
    private volatile bool _withDatabase;

    private AmqpFloorRig(NpgsqlDataSource database) => _database = database;

    public static async Task<AmqpFloorRig> StartAsync(string virtualHost, string database, CancellationToken cancellationToken)
    {
        var rig = new AmqpFloorRig(NpgsqlDataSource.Create(BenchSettings.PostgresOf(database)));
        await using (var command = rig._database.CreateCommand("CREATE TABLE IF NOT EXISTS hop (id bigserial PRIMARY KEY, correlation text NOT NULL, at timestamptz NOT NULL)"))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        var factory = new ConnectionFactory { Uri = BenchSettings.AmqpUriOf(virtualHost), ConsumerDispatchConcurrency = 64 };
        var confirmed = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        rig._responderConnection = await factory.CreateConnectionAsync("floor-responder", cancellationToken).ConfigureAwait(false);
        rig._requesterConnection = await factory.CreateConnectionAsync("floor-requester", cancellationToken).ConfigureAwait(false);

        rig._requestChannel = await rig._requesterConnection.CreateChannelAsync(confirmed, cancellationToken).ConfigureAwait(false);
        await rig._requestChannel.QueueDeclareAsync(Requests, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await rig._requestChannel.QueueDeclareAsync(Replies, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);

        rig._responderPublishChannel = await rig._responderConnection.CreateChannelAsync(confirmed, cancellationToken).ConfigureAwait(false);
        rig._responderConsumerChannel = await rig._responderConnection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await rig._responderConsumerChannel.BasicQosAsync(0, 64, false, cancellationToken).ConfigureAwait(false);
        var responder = new AsyncEventingBasicConsumer(rig._responderConsumerChannel);
        responder.ReceivedAsync += rig.RespondAsync;
        await rig._responderConsumerChannel.BasicConsumeAsync(Requests, autoAck: false, responder, cancellationToken).ConfigureAwait(false);

        rig._replyConsumerChannel = await rig._requesterConnection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await rig._replyConsumerChannel.BasicQosAsync(0, 64, false, cancellationToken).ConfigureAwait(false);
        var replies = new AsyncEventingBasicConsumer(rig._replyConsumerChannel);
        replies.ReceivedAsync += rig.OnReplyAsync;
        await rig._replyConsumerChannel.BasicConsumeAsync(Replies, autoAck: false, replies, cancellationToken).ConfigureAwait(false);
        return rig;
    }

    /// <summary>Whether the responder commits a PostgreSQL transaction before it replies.</summary>
    public bool WithDatabase
    {
        get => _withDatabase;
        set => _withDatabase = value;
    }

    /// <summary>One request/reply; its round trip in Stopwatch ticks, from before the publish to the reply's receipt.</summary>
    public async Task<long> RoundTripAsync(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var reply = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var start = Stopwatch.GetTimestamp();
        await _requestChannel.BasicPublishAsync("", Requests, false, new BasicProperties { Persistent = true, CorrelationId = id, MessageId = id, ContentType = "application/json" },
            Payload, cancellationToken).ConfigureAwait(false);
        var end = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return end - start;
    }

    /// <summary>Publishes one persistent, confirmed message of <paramref name="body"/> and receives it back; the ticks that took.</summary>
    public async Task<long> TransferAsync(byte[] body, CancellationToken cancellationToken)
    {
        const string queue = "floor.transfer";
        await using var channel = await _requesterConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var consumerChannel = await _responderConnection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var received = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            received.TrySetResult(Stopwatch.GetTimestamp());
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, false).ConfigureAwait(false);
        };
        var tag = await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        await channel.BasicPublishAsync("", queue, false, new BasicProperties { Persistent = true, ContentType = "application/json" }, body, cancellationToken)
            .ConfigureAwait(false);
        var end = await received.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        await consumerChannel.BasicCancelAsync(tag, cancellationToken: cancellationToken).ConfigureAwait(false);
        return end - start;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in new[] { _requestChannel, _replyConsumerChannel, _responderConsumerChannel, _responderPublishChannel })
        {
            if (channel is not null)
                await channel.DisposeAsync().ConfigureAwait(false);
        }

        if (_requesterConnection is not null)
            await _requesterConnection.DisposeAsync().ConfigureAwait(false);
        if (_responderConnection is not null)
            await _responderConnection.DisposeAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RespondAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var correlation = delivery.BasicProperties.CorrelationId!;
        if (_withDatabase)
        {
            await using var connection = await _database.OpenConnectionAsync().ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await using (var insert = new NpgsqlCommand("INSERT INTO hop (correlation, at) VALUES ($1, now())", connection, transaction))
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = correlation });
                await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }

        await _responderPublishChannel.BasicPublishAsync("", Replies, false,
            new BasicProperties { Persistent = true, CorrelationId = correlation, MessageId = Guid.NewGuid().ToString("N"), ContentType = "application/json" },
            delivery.Body).ConfigureAwait(false);
        await _responderConsumerChannel.BasicAckAsync(delivery.DeliveryTag, false).ConfigureAwait(false);
    }

    private async Task OnReplyAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var now = Stopwatch.GetTimestamp();
        if (delivery.BasicProperties.CorrelationId is { } id && _pending.TryRemove(id, out var waiter))
            waiter.TrySetResult(now);
        await _replyConsumerChannel.BasicAckAsync(delivery.DeliveryTag, false).ConfigureAwait(false);
    }
}

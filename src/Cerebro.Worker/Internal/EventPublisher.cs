using Cerebro.Contracts;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using CerebroHeaders = Cerebro.Contracts.Headers;

namespace Cerebro.Worker.Internal;

/// <summary>Sends the worker's events with the protocol's properties and headers, through the worker's transport.</summary>
internal sealed class EventPublisher
{
    /// <summary>
    /// MassTransit's raw JSON serializer (body = the message alone, <c>application/json</c>). Set on each send rather
    /// than on the bus, so the application's bus needs no serializer of ours in host-bus mode. No transport headers:
    /// the protocol needs none of MassTransit's.
    /// </summary>
    private static readonly IMessageSerializer RawJson = new SystemTextJsonRawMessageSerializer(RawSerializerOptions.AnyMessageType);

    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    private readonly IWorkerTransport _transport;
    private readonly string _agent;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public EventPublisher(IWorkerTransport transport, string agent, TimeProvider time, ILogger logger)
    {
        _transport = transport;
        _agent = agent;
        _time = time;
        _logger = logger;
    }

    private volatile string? _taskEventsExchange;

    /// <summary>
    /// From the declaration verdict for this instance: the exchange its task events go to from now on (Cerebro's
    /// task-events exchange, one hop shorter), or null for <c>cerebro.events</c>. Server messages always go there.
    /// </summary>
    public void UseTaskEventsExchange(string? exchange) => _taskEventsExchange = exchange;

    /// <summary>Sends, retrying a few times when the broker is unreachable, since Cerebro acts on every state event.</summary>
    public async Task SendAsync<T>(string messageType, T message, TraceContext trace, bool retry, CancellationToken cancellationToken)
        where T : class
    {
        var exchange = IsTaskEvent(messageType) ? _taskEventsExchange : null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _transport.SendEventAsync(message, Topology.EventRoutingKey(_agent, messageType), exchange,
                    context => Stamp(context, messageType, trace), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (exchange is not null && !cancellationToken.IsCancellationRequested)
            {
                // Returned unroutable, or the exchange is gone: cerebro.events always reaches Cerebro, one hop longer.
                // The next verdict (after a reconnection) may name the exchange again.
                _logger.LogWarning(ex, "Publishing {MessageType} to {Exchange} failed; task events go to {EventsExchange} from now on",
                    messageType, exchange, Topology.EventsExchange);
                Interlocked.CompareExchange(ref _taskEventsExchange, null, exchange);
                exchange = null;
                attempt--;
            }
            catch (Exception ex) when (retry && attempt < RetryDelays.Length && !cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning(ex, "Sending {MessageType} failed (attempt {Attempt}); retrying in {Delay}",
                    messageType, attempt + 1, RetryDelays[attempt]);
                await Task.Delay(RetryDelays[attempt], _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsTaskEvent(string messageType) =>
        messageType is MessageTypes.TaskQueued or MessageTypes.TaskStarted or MessageTypes.TaskCompleted or MessageTypes.TaskFailed;

    private void Stamp(SendContext context, string messageType, TraceContext trace)
    {
        context.Serializer = RawJson;
        context.MessageId = Guid.NewGuid();
        context.Durable = true;
        context.Headers.Set(CerebroHeaders.Type, messageType);
        context.Headers.Set(CerebroHeaders.Sender, _agent);
        context.Headers.Set(CerebroHeaders.ProtocolVersion, Protocol.Version);
        if (trace.TraceParent is not null)
            context.Headers.Set(CerebroHeaders.TraceParent, trace.TraceParent);
        if (trace.TraceState is not null)
            context.Headers.Set(CerebroHeaders.TraceState, trace.TraceState);
    }
}

using System.Security.Cryptography;
using System.Text;
using Cerebro.Contracts;
using Cerebro.Server.Deadlines;
using MassTransit;
using MassTransit.Serialization;
using Headers = Cerebro.Contracts.Headers;

namespace Cerebro.Server.Agents;

/// <summary>Sends protocol messages (raw JSON with Cerebro's headers) to agents and owner teams.</summary>
public static class AgentMessaging
{
    // Set per message: Cerebro's own queues keep MassTransit's envelope, only agent-facing messages are plain JSON.
    private static readonly IMessageSerializer RawJson = new SystemTextJsonRawMessageSerializer(RawSerializerOptions.AnyMessageType);

    public static async Task SendToAgent<T>(this ISendEndpointProvider provider, string agent, string type, T message,
        Guid? messageId = null, string? traceParent = null, CancellationToken cancellationToken = default)
        where T : class
    {
        var endpoint = await provider.GetSendEndpoint(new Uri($"queue:{Topology.AgentQueue(agent)}")).ConfigureAwait(false);
        await endpoint.Send(message, context => Stamp(context, type, messageId, traceParent), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes to the notifications exchange, routing key <c>&lt;owner&gt;.&lt;type&gt;</c>, where owner teams subscribe.</summary>
    public static async Task Notify<T>(this ISendEndpointProvider provider, string owner, string type, T message,
        CancellationToken cancellationToken = default)
        where T : class
    {
        var endpoint = await provider
            .GetSendEndpoint(new Uri($"exchange:{Topology.NotificationsExchange}?type=topic&durable=true"))
            .ConfigureAwait(false);
        await endpoint.Send(message, context =>
        {
            Stamp(context, type, null, null);
            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                rabbit.RoutingKey = Topology.NotificationRoutingKey(owner, type);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a due deadline to Cerebro's own agent-events queue (not through the agents' exchange), marked with the
    /// task run's agent so the door applies it after that agent's earlier messages.
    /// </summary>
    public static async Task SendDeadlineDue(this ISendEndpointProvider provider, DeadlineDue deadline, CancellationToken cancellationToken = default)
    {
        var endpoint = await provider.GetSendEndpoint(new Uri($"queue:{Topology.AgentEventsQueue}")).ConfigureAwait(false);
        await endpoint.Send(deadline, context =>
        {
            Stamp(context, DeadlineDue.Type, null, null);
            context.Headers.Set(DeadlineDue.AgentHeader, deadline.Agent);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The invoke's message id: the same for every copy of one attempt, so agents can drop duplicates.</summary>
    public static Guid InvokeMessageId(Guid taskRunId, int attempt)
    {
        Span<byte> input = stackalloc byte[20];
        taskRunId.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], attempt);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return new Guid(hash[..16]);
    }

    private static void Stamp(SendContext context, string type, Guid? messageId, string? traceParent)
    {
        context.Serializer = RawJson;
        context.Durable = true;
        if (messageId is { } id)
            context.MessageId = id;
        context.Headers.Set(Headers.Type, type);
        context.Headers.Set(Headers.Sender, Topology.CerebroSender);
        context.Headers.Set(Headers.ProtocolVersion, Protocol.Version);
        if (traceParent is not null)
            context.Headers.Set(Headers.TraceParent, traceParent);
    }

    internal static string Describe(byte[] body) =>
        body.Length <= 4096 ? Encoding.UTF8.GetString(body) : Encoding.UTF8.GetString(body, 0, 4096) + "…";
}

using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Domain;
using MassTransit;
using Headers = Cerebro.Contracts.Headers;

namespace Cerebro.Server.Agents;

/// <summary>
/// The protocol checks every agent message passes, whichever queue it arrives on: each throws a
/// <see cref="ProtocolViolationException"/> whose message is the reason recorded and shown to operators.
/// </summary>
internal static class AgentMessageChecks
{
    public const int MaxResultLength = 64 * 1024;

    /// <summary>The <c>cerebro-type</c> and <c>cerebro-sender</c> headers, the message id, the protocol version and the routing key.</summary>
    public static (string Type, string Sender) CheckEnvelope(ConsumeContext context, string exchange)
    {
        var type = context.Headers.Get<string>(Headers.Type)
            ?? throw new ProtocolViolationException($"the '{Headers.Type}' header is missing");
        var sender = context.Headers.Get<string>(Headers.Sender)
            ?? throw new ProtocolViolationException($"the '{Headers.Sender}' header is missing");
        if (context.MessageId is null)
            throw new ProtocolViolationException("the message_id property is missing or not a GUID");
        CheckVersion(context);
        CheckRoutingKey(context, exchange, sender, type);
        return (type, sender);
    }

    public static T Read<T>(byte[] body, string type)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, WireJson.Options)
                ?? throw new ProtocolViolationException($"the body of '{type}' is null");
        }
        catch (JsonException ex)
        {
            throw new ProtocolViolationException($"the body of '{type}' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A <c>server.ready</c> body, read by <see cref="ServerReadyReader"/> when it has the plain shape agents send (a
    /// declaration may hold 100,000 tasks) and by <see cref="Read{T}"/> otherwise: the same message, the same errors.
    /// </summary>
    public static ServerReady ReadServerReady(byte[] body) =>
        ServerReadyReader.TryRead(body, out var ready) ? ready : Read<ServerReady>(body, MessageTypes.ServerReady);

    /// <summary>What a task event must hold beyond its schema: the sender's own name, and a result of at most 64 KiB.</summary>
    public static void CheckTaskEvent(TaskRunEvent message, string sender)
    {
        CheckAgent(message.Agent, sender);
        if (message is TaskCompleted { Result: { } result } && result.GetRawText().Length > MaxResultLength)
            throw new ProtocolViolationException($"the result of task run {message.TaskRunId} is larger than 64 KiB");
    }

    public static void CheckAgent(string agent, string sender)
    {
        if (!string.Equals(agent, sender, StringComparison.Ordinal))
            throw new ProtocolViolationException($"the message names agent '{agent}' but was sent by '{sender}'");
    }

    /// <summary>Whether the message was published to <paramref name="exchange"/> (an agent's), rather than sent by Cerebro.</summary>
    public static bool CameThrough(ConsumeContext context, string exchange) =>
        context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) && rabbit.Exchange == exchange;

    private static void CheckVersion(ConsumeContext context)
    {
        var raw = context.Headers.Get<object>(Headers.ProtocolVersion);
        var version = raw switch
        {
            null => throw new ProtocolViolationException($"the '{Headers.ProtocolVersion}' header is missing"),
            int i => i,
            long l => (int)l,
            byte[] bytes when int.TryParse(System.Text.Encoding.UTF8.GetString(bytes), out var b) => b,
            _ when int.TryParse(raw.ToString(), out var s) => s,
            _ => throw new ProtocolViolationException($"the '{Headers.ProtocolVersion}' header '{raw}' is not an integer"),
        };
        if (version != Protocol.Version)
            throw new ProtocolViolationException($"protocol version {version} is not supported; this Cerebro speaks version {Protocol.Version}");
    }

    private static void CheckRoutingKey(ConsumeContext context, string exchange, string sender, string type)
    {
        if (!Names.IsValidAgentName(sender) && sender != Topology.CerebroSender && type != MessageTypes.RunRequested)
            throw new ProtocolViolationException($"sender '{sender}' is not a valid agent name");
        if (context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit)
            && rabbit.Exchange == exchange
            && !(rabbit.RoutingKey ?? "").StartsWith(sender + ".", StringComparison.Ordinal))
            throw new ProtocolViolationException($"routing key '{rabbit.RoutingKey}' does not start with the sender '{sender}.'");
    }
}

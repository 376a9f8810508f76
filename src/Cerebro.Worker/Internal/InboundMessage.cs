namespace Cerebro.Worker.Internal;

/// <summary>
/// What the agent's endpoint consumes: any raw JSON body. The worker reads the <c>cerebro-type</c> header and
/// deserializes the body itself, so MassTransit needs no message type per protocol message.
/// </summary>
internal sealed class InboundMessage;

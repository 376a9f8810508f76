namespace Cerebro.Contracts;

/// <summary>AMQP header names every Cerebro message carries (besides the standard <c>message_id</c> property).</summary>
public static class Headers
{
    /// <summary>The message type, one of <see cref="MessageTypes"/>.</summary>
    public const string Type = "cerebro-type";

    /// <summary>The sending agent's name on agent messages; <c>cerebro</c> on messages Cerebro sends.</summary>
    public const string Sender = "cerebro-sender";

    /// <summary>The protocol version the sender speaks, an integer.</summary>
    public const string ProtocolVersion = "cerebro-protocol";

    /// <summary>W3C trace context, optional.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C trace state, optional.</summary>
    public const string TraceState = "tracestate";
}

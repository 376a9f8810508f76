namespace Cerebro.Contracts;

/// <summary>Constants of the Cerebro wire protocol (see protocol/README.md).</summary>
public static class Protocol
{
    /// <summary>The protocol version this library speaks; sent in the <see cref="Headers.ProtocolVersion"/> header.</summary>
    public const int Version = 1;

    /// <summary>The content type of every message body: UTF-8 JSON.</summary>
    public const string ContentType = "application/json";
}

using System.Runtime.Serialization;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;

namespace Cerebro.Server.Agents;

/// <summary>
/// The agent-events queue's deserializer. Like MassTransit's raw JSON deserializer it refuses a body that is not JSON
/// (with a <see cref="SerializationException"/>, so <see cref="UnreadableMessageFilter"/> records it), but it only
/// reads the body through instead of building a document of it: the consumer deserializes the body itself, and a
/// server.ready may be 30 MiB, so a second parse would cost as much as the first.
/// </summary>
internal sealed class AgentMessageDeserializer : PlainJsonDeserializer
{
    private const RawSerializerOptions Options = RawSerializerOptions.AnyMessageType;

    // What the consumer's message type (AgentMessage, which has no members) is read from.
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = SystemTextJsonMessageSerializer.Options.AllowTrailingCommas,
        CommentHandling = SystemTextJsonMessageSerializer.Options.ReadCommentHandling,
        MaxDepth = SystemTextJsonMessageSerializer.Options.MaxDepth,
    };

    protected override string Provider => "System.Text.Json (checked, not parsed)";

    public override SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        var bytes = body.GetBytes();
        if (bytes.Length > 0)
            CheckJson(bytes);
        return new SystemTextJsonRawSerializerContext(SystemTextJsonMessageSerializer.Instance, SystemTextJsonMessageSerializer.Options,
            ContentType, new RawMessageContext(headers, destinationAddress, Options), headers.GetMessageTypes(), Options, EmptyObject);
    }

    private static void CheckJson(byte[] bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes, ReaderOptions);
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            throw new SerializationException("The message body is not valid JSON", ex);
        }
    }
}

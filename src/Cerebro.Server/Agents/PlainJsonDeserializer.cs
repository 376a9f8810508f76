using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;

namespace Cerebro.Server.Agents;

/// <summary>
/// What Cerebro's readers of agents' plain JSON (<c>application/json</c>, no MassTransit envelope) share; each says how
/// it reads a body into a <see cref="SerializerContext"/>.
/// </summary>
internal abstract class PlainJsonDeserializer : IMessageDeserializer
{
    public ContentType ContentType => SystemTextJsonRawMessageSerializer.JsonContentType;

    /// <summary>For MassTransit's probe: how the body is read.</summary>
    protected abstract string Provider { get; }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("json");
        scope.Add("contentType", ContentType.MediaType);
        scope.Add("provider", Provider);
    }

    public ConsumeContext Deserialize(ReceiveContext receiveContext) =>
        new BodyConsumeContext(receiveContext, Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));

    public abstract SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null);

    public MessageBody GetMessageBody(string text) => new StringMessageBody(text);
}

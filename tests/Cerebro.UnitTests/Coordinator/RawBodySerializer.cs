using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Writes exactly the given bytes as the message body: lets the fake agent send any JSON, well-formed or not.</summary>
public sealed class RawBodySerializer(byte[] body) : IMessageSerializer
{
    public ContentType ContentType { get; } = new("application/json");

    public MessageBody GetMessageBody<T>(SendContext<T> context)
        where T : class => new BytesMessageBody(body);

    public void Probe(ProbeContext context)
    {
    }
}

using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;

namespace Cerebro.Server.Agents;

/// <summary>Plain JSON on the agent-events queue: MassTransit's raw JSON serializer out, <see cref="AgentMessageDeserializer"/> in.</summary>
internal sealed class AgentMessageSerializerFactory : ISerializerFactory
{
    public ContentType ContentType => SystemTextJsonRawMessageSerializer.JsonContentType;

    public IMessageSerializer CreateSerializer() => new SystemTextJsonRawMessageSerializer(RawSerializerOptions.AnyMessageType);

    public IMessageDeserializer CreateDeserializer() => new AgentMessageDeserializer();
}

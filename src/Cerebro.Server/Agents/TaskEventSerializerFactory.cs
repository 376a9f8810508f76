using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;

namespace Cerebro.Server.Agents;

/// <summary>The task-runs queue's reader of plain JSON (<see cref="TaskEventDeserializer"/>); Cerebro never sends plain JSON there.</summary>
internal sealed class TaskEventSerializerFactory : ISerializerFactory
{
    public ContentType ContentType => SystemTextJsonRawMessageSerializer.JsonContentType;

    public IMessageSerializer CreateSerializer() => new SystemTextJsonRawMessageSerializer();

    public IMessageDeserializer CreateDeserializer() => new TaskEventDeserializer();
}

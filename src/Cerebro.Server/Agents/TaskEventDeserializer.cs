using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using Cerebro.Contracts;
using MassTransit;
using MassTransit.Serialization;
using Headers = MassTransit.Headers;

namespace Cerebro.Server.Agents;

/// <summary>
/// Plain JSON on the task-runs queue: the task events agents publish to <see cref="Topology.TaskEventsExchange"/>.
/// The <c>cerebro-type</c> header names the one message type the body is read as, so a <c>task.started</c> reaches the
/// saga as <see cref="TaskStarted"/> and nothing else; any other type is read as an <see cref="AgentMessage"/>, which
/// <see cref="AgentTaskEventFilter"/> rejects with its reason. A body that is not JSON throws a
/// <see cref="SerializationException"/>, which <see cref="UnreadableMessageFilter"/> records.
/// </summary>
internal sealed class TaskEventDeserializer : PlainJsonDeserializer
{
    private const RawSerializerOptions Options = RawSerializerOptions.Default;

    private static readonly FrozenDictionary<string, string[]> MessageTypesByHeader = new Dictionary<string, string[]>
    {
        [MessageTypes.TaskQueued] = [MessageUrn.ForTypeString<TaskQueued>()],
        [MessageTypes.TaskStarted] = [MessageUrn.ForTypeString<TaskStarted>()],
        [MessageTypes.TaskCompleted] = [MessageUrn.ForTypeString<TaskCompleted>()],
        [MessageTypes.TaskFailed] = [MessageUrn.ForTypeString<TaskFailed>()],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Anything else is read as an AgentMessage (an empty list would mean "any type" to MassTransit, and a type nobody
    // consumes would skip the endpoint's filters): the endpoint's handler of it is never reached, the filter rejects it first.
    private static readonly string[] NotATaskEvent = [MessageUrn.ForTypeString<AgentMessage>()];

    protected override string Provider => "System.Text.Json (task events, typed by the cerebro-type header)";

    public override SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        JsonElement message;
        try
        {
            message = JsonSerializer.Deserialize<JsonElement>(body.GetBytes(), WireJson.Options);
        }
        catch (JsonException ex)
        {
            throw new SerializationException("The message body is not valid JSON", ex);
        }

        var type = headers.Get<string>(Cerebro.Contracts.Headers.Type);
        var messageTypes = type is not null && MessageTypesByHeader.TryGetValue(type, out var known) ? known : NotATaskEvent;
        return new SystemTextJsonRawSerializerContext(SystemTextJsonMessageSerializer.Instance, WireJson.Options, ContentType,
            new RawMessageContext(headers, destinationAddress, Options), messageTypes, Options, message);
    }
}

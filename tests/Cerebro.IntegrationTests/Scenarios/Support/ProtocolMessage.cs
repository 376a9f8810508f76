using System.Text.Json;

namespace Cerebro.IntegrationTests.Scenarios.Support;

/// <summary>A protocol message as a plain AMQP client receives it: the envelope's headers and properties, and the JSON body.</summary>
public sealed record ProtocolMessage(string? Type, string? Sender, string? MessageId, string? ContentType, string RoutingKey, JsonElement Body)
{
    /// <summary>A string property of the body, or null.</summary>
    public string? Text(string property) =>
        Body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The body's array of task problems (<c>refused</c>, <c>unresolved</c>), by task.</summary>
    public IReadOnlyDictionary<string, string> Problems(string property) =>
        Body.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToDictionary(p => p.GetProperty("task").GetString()!, p => p.GetProperty("reason").GetString()!, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The body's array of strings (<c>accepted</c>, <c>blocks</c>).</summary>
    public IReadOnlyList<string> Names(string property) =>
        Body.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString()!).ToList()
            : [];

    /// <summary>
    /// The body of a task event (<c>task.started</c>, <c>task.completed</c>, ...) answering this <c>task.invoke</c>: its
    /// task run, run, task and attempt, the answering agent, now, and a result when given.
    /// </summary>
    public object TaskEventBody(string agent, object? result = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["taskRunId"] = Body.GetProperty("taskRunId").GetGuid(),
            ["runId"] = Body.GetProperty("runId").GetGuid(),
            ["task"] = Text("task"),
            ["attempt"] = Body.GetProperty("attempt").GetInt32(),
            ["agent"] = agent,
            ["at"] = DateTimeOffset.UtcNow,
        };
        if (result is not null)
            body["result"] = result;
        return body;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} from {Sender} ({RoutingKey}): {Body.GetRawText()}";
}

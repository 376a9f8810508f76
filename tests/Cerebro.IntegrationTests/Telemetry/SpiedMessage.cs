using System.Text.Json;

namespace Cerebro.IntegrationTests.Telemetry;

/// <summary>A message seen by <see cref="TraceSpy"/>: its type, sender, trace headers and body.</summary>
public sealed record SpiedMessage(string? Type, string? Sender, string? TraceParent, string? TraceState, string Exchange, JsonElement Body)
{
    public Guid? TaskRunId =>
        Body.TryGetProperty("taskRunId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetGuid() : null;

    public override string ToString() => $"{Type} from {Sender} via {Exchange} traceparent={TraceParent} tracestate={TraceState}";
}

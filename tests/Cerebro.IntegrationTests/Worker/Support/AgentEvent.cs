using System.Text.Json;
using Cerebro.IntegrationTests.Infrastructure;

namespace Cerebro.IntegrationTests.Worker.Support;

/// <summary>One message an agent sent to Cerebro (to cerebro.events unless <see cref="Exchange"/> says otherwise), as the fake Cerebro received it.</summary>
public sealed record AgentEvent(
    int Sequence,
    string Exchange,
    string RoutingKey,
    string? ContentType,
    string? MessageId,
    byte DeliveryMode,
    IReadOnlyDictionary<string, object?> Headers,
    JsonElement Body)
{
    public string? Type => Header(Cerebro.Contracts.Headers.Type);

    public Guid? TaskRunId => Body.TryGetProperty("taskRunId", out var id) ? id.GetGuid() : null;

    public string? Header(string name) => AmqpHeaders.Text(Headers, name);

    public string Text(string property) => Body.GetProperty(property).GetString()!;

    public bool Is(string type, Guid taskRunId) => Type == type && TaskRunId == taskRunId;
}

using System.Text.Json;
using Cerebro.Contracts;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>A message Cerebro sent to a fake agent, as the agent saw it on its queue.</summary>
public sealed record ReceivedMessage(int Sequence, string? Type, string? Sender, object? Protocol, Guid? MessageId, string? ContentType, JsonElement Body)
{
    public T Read<T>() => Body.Deserialize<T>(WireJson.Options) ?? throw new InvalidOperationException($"{Type} has a null body");

    public override string ToString() => $"#{Sequence} {Type} {Body.GetRawText()}";
}

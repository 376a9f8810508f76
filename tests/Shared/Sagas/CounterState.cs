using MassTransit;

namespace Cerebro.Tests.Shared.Sagas;

/// <summary>The test saga's state: a named counter.</summary>
public sealed class CounterState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public int Version { get; set; }
    public string Name { get; set; } = null!;
    public int Count { get; set; }
}

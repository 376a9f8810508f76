using MassTransit;

namespace Cerebro.IntegrationTests.Sagas;

/// <summary>A counter: created, then incremented any number of times (a smaller twin of the unit tests' machine).</summary>
public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        Event(() => Created, e => e.CorrelateById(c => c.Message.CounterId));
        Event(() => Incremented, e => e.CorrelateById(c => c.Message.CounterId));

        InstanceState(x => x.CurrentState);

        Initially(
            When(Created)
                .Then(c => c.Saga.Name = c.Message.Name)
                .TransitionTo(Counting));

        During(Counting,
            Ignore(Created),
            When(Incremented)
                .Then(c => c.Saga.Count++)
                .Publish(c => new CounterIncremented(c.Saga.CorrelationId, c.Saga.Count)));
    }

    public State Counting { get; private set; } = null!;

    public Event<CreateCounter> Created { get; private set; } = null!;
    public Event<IncrementCounter> Incremented { get; private set; } = null!;
}

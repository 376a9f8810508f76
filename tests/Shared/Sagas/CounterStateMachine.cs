using MassTransit;

namespace Cerebro.Tests.Shared.Sagas;

/// <summary>A counter: created, incremented any number of times, closed (finalized and removed).</summary>
public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        Event(() => Created, e => e.CorrelateById(c => c.Message.CounterId));
        Event(() => Incremented, e =>
        {
            e.CorrelateById(c => c.Message.CounterId);
            e.OnMissingInstance(m => m.ExecuteAsync(c => c.Publish(new CounterNotFound(c.Message.CounterId))));
        });
        Event(() => IncrementedByName, e =>
        {
            e.CorrelateBy((saga, c) => saga.Name == c.Message.Name);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Closed, e => e.CorrelateById(c => c.Message.CounterId));

        InstanceState(x => x.CurrentState);

        Initially(
            When(Created)
                .Then(c => c.Saga.Name = c.Message.Name)
                .TransitionTo(Counting));

        During(Counting,
            Ignore(Created),
            When(Incremented)
                .ThenAsync(async c =>
                {
                    // Stands in for a behaviour's real I/O. Microsoft.Data.Sqlite completes its async calls synchronously,
                    // so without a yield the in-memory transport would never overlap two messages.
                    await Task.Yield();
                    c.Saga.Count++;
                })
                .Publish(c => new CounterIncremented(c.Saga.CorrelationId, c.Saga.Count)),
            When(IncrementedByName)
                .Then(c => c.Saga.Count++),
            When(Closed)
                .Finalize());

        SetCompletedWhenFinalized();
    }

    public State Counting { get; private set; } = null!;

    public Event<CreateCounter> Created { get; private set; } = null!;
    public Event<IncrementCounter> Incremented { get; private set; } = null!;
    public Event<IncrementCounterByName> IncrementedByName { get; private set; } = null!;
    public Event<CloseCounter> Closed { get; private set; } = null!;
}

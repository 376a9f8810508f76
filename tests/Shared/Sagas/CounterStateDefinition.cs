using MassTransit;

namespace Cerebro.Tests.Shared.Sagas;

/// <summary>
/// The endpoint policy the repository expects: many messages at once, a retry on conflicts, and the in-memory outbox
/// so that what a losing attempt published is dropped with it.
/// </summary>
public sealed class CounterStateDefinition : SagaDefinition<CounterState>
{
    private const int Concurrency = 16;

    public CounterStateDefinition()
    {
        ConcurrentMessageLimit = Concurrency;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<CounterState> sagaConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = Concurrency;
        endpointConfigurator.ConcurrentMessageLimit = Concurrency;

        // Sixteen writers on one row: the unluckiest message was seen to need up to ~20 attempts (2 cores, loaded).
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<ConcurrencyException>();
            r.Immediate(50);
        });
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}

using MassTransit;

namespace Cerebro.IntegrationTests.Sagas;

/// <summary>Sixteen messages at once, a retry on conflicts, and the outbox so a losing attempt's messages are dropped.</summary>
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
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<ConcurrencyException>();
            r.Immediate(50);
        });
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}

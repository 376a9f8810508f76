using MassTransit;

namespace Cerebro.UnitTests.Sagas;

/// <summary>The endpoint policy the repository expects: retry on conflicts, outbox so a losing attempt's messages are dropped.</summary>
public sealed class CounterStateDefinition : SagaDefinition<CounterState>
{
    private static readonly int Concurrency = int.Parse(Environment.GetEnvironmentVariable("DIAG_C") ?? "16", System.Globalization.CultureInfo.InvariantCulture);

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
            var mode = Environment.GetEnvironmentVariable("DIAG_RETRY") ?? "imm20";
            if (mode == "imm20") r.Immediate(20);
            else if (mode == "imm100") r.Immediate(100);
            else if (mode == "inc") r.Incremental(20, TimeSpan.Zero, TimeSpan.FromMilliseconds(10));
            else if (mode == "exp") r.Exponential(20, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(5));
        });
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}

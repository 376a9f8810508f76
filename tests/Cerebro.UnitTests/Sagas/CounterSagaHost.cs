using Cerebro.Server.Persistence.Sagas;
using Cerebro.Tests.Shared.Sagas;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.UnitTests.Sagas;

/// <summary>The counter saga on MassTransit's in-memory test harness, persisted by the EF Core saga repository.</summary>
public sealed class CounterSagaHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly Func<CounterDbContext> _createContext;

    private CounterSagaHost(ServiceProvider provider, Func<CounterDbContext> createContext)
    {
        _provider = provider;
        _createContext = createContext;
        Harness = provider.GetRequiredService<ITestHarness>();
        Probe = provider.GetRequiredService<SagaSaveProbe>();
    }

    public ITestHarness Harness { get; }

    public SagaSaveProbe Probe { get; }

    public IServiceProvider Services => _provider;

    /// <summary>Starts the bus; <paramref name="configureDb"/> picks the provider (SQLite here, PostgreSQL in the integration tests).</summary>
    public static async Task<CounterSagaHost> StartAsync(Action<DbContextOptionsBuilder> configureDb)
    {
        var services = new ServiceCollection();
        services.AddSingleton<SagaSaveProbe>();
        services.AddDbContext<CounterDbContext>((provider, options) =>
        {
            configureDb(options);
            options.AddInterceptors(provider.GetRequiredService<SagaSaveProbe>());
        });
        services.AddMassTransitTestHarness(TextWriter.Null, x =>
        {
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(1));
            x.AddSagaStateMachine<CounterStateMachine, CounterState>(typeof(CounterStateDefinition))
                .EfCoreRepository<CounterDbContext>();
        });

        var provider = services.BuildServiceProvider(validateScopes: true);
        var rivalOptions = new DbContextOptionsBuilder<CounterDbContext>();
        configureDb(rivalOptions);
        var host = new CounterSagaHost(provider, () => new CounterDbContext(rivalOptions.Options));
        await host.Harness.Start();
        return host;
    }

    /// <summary>A context outside the bus: to inspect rows, or to play a rival writer.</summary>
    public CounterDbContext CreateContext() => _createContext();

    public async Task<CounterState?> FindAsync(Guid counterId)
    {
        await using var db = CreateContext();
        return await db.Counters.AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == counterId);
    }

    /// <summary>Polls the database until <paramref name="condition"/> holds for the counter's row (null: no row), or fails at the deadline.</summary>
    public async Task<CounterState?> WaitForAsync(Guid counterId, Func<CounterState?, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var row = await FindAsync(counterId);
            if (condition(row))
                return row;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Counter {counterId} did not reach the expected state; last seen: Count={row?.Count}, Version={row?.Version}.");
            await Task.Delay(20);
        }
    }

    public async Task<Guid> CreateCounterAsync(string name)
    {
        var id = NewId.NextGuid();
        await Harness.Bus.Publish(new CreateCounter(id, name));
        await WaitForAsync(id, row => row is not null);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

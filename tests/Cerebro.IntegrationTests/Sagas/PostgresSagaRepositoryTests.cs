using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.Server.Persistence.Sagas;
using Cerebro.Tests.Shared.Sagas;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.IntegrationTests.Sagas;

/// <summary>The EF Core saga repository on the real PostgreSQL server, driven through MassTransit's in-memory transport.</summary>
public sealed class PostgresSagaRepositoryTests(PostgresSagaDatabase database) : IClassFixture<PostgresSagaDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly ConflictCounter _conflicts = new();
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddDbContext<CounterDbContext>(options => options.UseNpgsql(database.ConnectionString).AddInterceptors(_conflicts));
        services.AddMassTransitTestHarness(TextWriter.Null, x =>
        {
            x.SetTestTimeouts(testTimeout: Wait, testInactivityTimeout: TimeSpan.FromSeconds(1));
            x.AddSagaStateMachine<CounterStateMachine, CounterState>(typeof(CounterStateDefinition))
                .EfCoreRepository<CounterDbContext>();
        });
        _provider = services.BuildServiceProvider(validateScopes: true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentIncrements_WaitForEachOthersRowLock_AllAppliedInOrder_NoneLostARace()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new CreateCounter(id, "busy"));
        await Poll.UntilAsync(() => FindAsync(id), row => row is not null, Wait, $"counter {id} created");

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => _harness.Bus.Publish(new IncrementCounter(id))));

        var row = await Poll.UntilAsync(() => FindAsync(id), r => r?.Count >= 100, Wait, $"counter {id} at 100");
        Assert.False(await _harness.Published.Any<Fault<IncrementCounter>>());
        Assert.Equal(100, row!.Count);
        Assert.Equal(101, row.Version);
        // Each load locks the row until its message commits, so the next one reads what the last one wrote: no save
        // ever finds the row changed under it (the version check is still there; the last test shows it).
        Assert.Equal(0, _conflicts.Conflicts);
        var announced = _harness.Published.Select<CounterIncremented>()
            .Where(m => m.Context.Message.CounterId == id)
            .Select(m => m.Context.Message.Count)
            .Order();
        Assert.Equal(Enumerable.Range(1, 100), announced);
    }

    [Fact]
    public async Task ConcurrentCreates_SameCorrelationId_OneRowNoneFaulted()
    {
        var id = NewId.NextGuid();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => _harness.Bus.Publish(new CreateCounter(id, $"creator-{i}"))));

        // Every create but the first lands on the existing row, where the machine ignores it: still one write each.
        var row = await Poll.UntilAsync(() => FindAsync(id), r => r?.Version >= 10, Wait, $"counter {id} written ten times");
        Assert.Equal(10, row!.Version);
        Assert.False(await _harness.Published.Any<Fault<CreateCounter>>());
    }

    [Fact]
    public async Task SaveChanges_TwoContextsUpdateSameVersion_SecondThrows()
    {
        var id = NewId.NextGuid();
        await _harness.Bus.Publish(new CreateCounter(id, "twice"));
        await Poll.UntilAsync(() => FindAsync(id), row => row is not null, Wait, $"counter {id} created");
        await using var first = database.CreateContext();
        await using var second = database.CreateContext();
        var a = await first.Counters.SingleAsync(x => x.CorrelationId == id);
        var b = await second.Counters.SingleAsync(x => x.CorrelationId == id);

        a.Count = 10;
        SagaVersioning.Increment(first.Entry(a));
        await first.SaveChangesAsync();
        b.Count = 20;
        SagaVersioning.Increment(second.Entry(b));

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        Assert.Equal(10, (await FindAsync(id))!.Count);
    }

    private async Task<CounterState?> FindAsync(Guid id)
    {
        await using var db = database.CreateContext();
        return await db.Counters.AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id);
    }
}

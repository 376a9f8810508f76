using Cerebro.Server.Persistence.Sagas;
using Cerebro.Tests.Shared.Sagas;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.UnitTests.Sagas;

/// <summary>The EF Core saga repository on SQLite (a temporary file per test), driven through MassTransit's in-memory test harness.</summary>
public sealed class EfCoreSagaRepositoryTests : IAsyncLifetime
{
    private readonly SqliteSagaDatabase _database = new();
    private CounterSagaHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await CounterSagaHost.StartAsync(options => options.UseSqlite(_database.ConnectionString));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task ConcurrentIncrements_AllApplied_NoneFaulted()
    {
        var id = await _host.CreateCounterAsync("busy");

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => _host.Harness.Bus.Publish(new IncrementCounter(id))));

        var row = await _host.WaitForAsync(id, r => r?.Count >= 100);
        Assert.False(await _host.Harness.Published.Any<Fault<IncrementCounter>>());
        Assert.Equal(100, row!.Count);
        Assert.Equal(101, row.Version);
        Assert.True(_host.Probe.Conflicts > 0, "the increments never raced: the test did not exercise the concurrency path");

        // The outbox drops what a losing attempt published: each count is announced exactly once.
        var announced = _host.Harness.Published.Select<CounterIncremented>()
            .Where(m => m.Context.Message.CounterId == id)
            .Select(m => m.Context.Message.Count)
            .Order();
        Assert.Equal(Enumerable.Range(1, 100), announced);
    }

    [Fact]
    public async Task Update_RowChangedAfterLoad_RetriesOnFreshState()
    {
        var id = await _host.CreateCounterAsync("raced");
        _host.Probe.InterfereOnce(EntityState.Modified, async loaded =>
        {
            await using var rival = _host.CreateContext();
            await rival.Counters.Where(x => x.CorrelationId == loaded.CorrelationId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Count, 1000).SetProperty(x => x.Version, x => x.Version + 1));
        });

        await _host.Harness.Bus.Publish(new IncrementCounter(id));

        var row = await _host.WaitForAsync(id, r => r?.Count > 1000);
        Assert.Equal(1001, row!.Count);
        Assert.Equal(3, row.Version);
        Assert.Equal(1, _host.Probe.Conflicts);
        Assert.False(await _host.Harness.Published.Any<Fault<IncrementCounter>>());
    }

    [Fact]
    public async Task SaveChanges_TwoContextsUpdateSameVersion_SecondThrows()
    {
        var id = await _host.CreateCounterAsync("twice");
        await using var first = _host.CreateContext();
        await using var second = _host.CreateContext();
        var a = await first.Counters.SingleAsync(x => x.CorrelationId == id);
        var b = await second.Counters.SingleAsync(x => x.CorrelationId == id);

        a.Count = 10;
        SagaVersioning.Increment(first.Entry(a));
        await first.SaveChangesAsync();
        b.Count = 20;
        SagaVersioning.Increment(second.Entry(b));

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        var row = await _host.FindAsync(id);
        Assert.Equal(10, row!.Count);
        Assert.Equal(2, row.Version);
    }

    [Fact]
    public async Task Insert_SameCorrelationIdInsertedMeanwhile_RetriesAgainstExistingRow()
    {
        var id = NewId.NextGuid();
        _host.Probe.InterfereOnce(EntityState.Added, async adding =>
        {
            await using var rival = _host.CreateContext();
            rival.Counters.Add(new CounterState { CorrelationId = adding.CorrelationId, CurrentState = "Counting", Name = "rival", Version = 1 });
            await rival.SaveChangesAsync();
        });

        await _host.Harness.Bus.Publish(new CreateCounter(id, "late"));

        // The retry loads the rival's row, where the machine ignores a second CreateCounter; that is still a write.
        var row = await _host.WaitForAsync(id, r => r?.Version == 2);
        Assert.Equal("rival", row!.Name);
        Assert.False(await _host.Harness.Published.Any<Fault<CreateCounter>>());
    }

    [Fact]
    public async Task Finalize_CompletedWhenFinalized_DeletesRow()
    {
        var id = await _host.CreateCounterAsync("short-lived");

        await _host.Harness.Bus.Publish(new CloseCounter(id));

        Assert.Null(await _host.WaitForAsync(id, r => r is null));
        Assert.False(await _host.Harness.Published.Any<Fault<CloseCounter>>());
    }

    [Fact]
    public async Task MissingInstance_OnMissingInstanceRuns_NoRowInserted()
    {
        var id = NewId.NextGuid();

        await _host.Harness.Bus.Publish(new IncrementCounter(id));

        Assert.True(await _host.Harness.Published.Any<CounterNotFound>(m => m.Context.Message.CounterId == id));
        Assert.False(await _host.Harness.Published.Any<Fault<IncrementCounter>>());
        Assert.Null(await _host.FindAsync(id));
    }

    [Fact]
    public async Task QueryCorrelation_CorrelateByName_UpdatesMatchingInstance()
    {
        var id = await _host.CreateCounterAsync("by-name");
        var other = await _host.CreateCounterAsync("someone-else");

        await _host.Harness.Bus.Publish(new IncrementCounterByName("by-name"));

        var row = await _host.WaitForAsync(id, r => r?.Count == 1);
        Assert.Equal(2, row!.Version);
        Assert.Equal(0, (await _host.FindAsync(other))!.Count);
        Assert.False(await _host.Harness.Published.Any<Fault<IncrementCounterByName>>());
    }

    [Fact]
    public async Task LoadSagaRepository_Load_ReturnsStoredInstance()
    {
        var id = await _host.CreateCounterAsync("loaded");

        var repository = _host.Services.GetRequiredService<ILoadSagaRepository<CounterState>>();
        var instance = await repository.Load(id);

        Assert.NotNull(instance);
        Assert.Equal("loaded", instance.Name);
    }

    [Fact]
    public void EnsureMapped_VersionNotConcurrencyToken_Throws()
    {
        using var db = new UnversionedCounterDbContext(
            new DbContextOptionsBuilder<UnversionedCounterDbContext>().UseSqlite(_database.ConnectionString).Options);

        var error = Assert.Throws<ConfigurationException>(() => SagaVersioning.EnsureMapped<CounterState>(db));
        Assert.Contains("ConfigureSagaVersion", error.Message, StringComparison.Ordinal);
    }
}

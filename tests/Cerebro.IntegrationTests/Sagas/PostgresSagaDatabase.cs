using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.Tests.Shared.Sagas;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.IntegrationTests.Sagas;

/// <summary>One fresh PostgreSQL database per test class holding the counter schema; dropped afterwards.</summary>
public sealed class PostgresSagaDatabase : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
    }

    public CounterDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<CounterDbContext>().UseNpgsql(ConnectionString).Options);

    public async Task DisposeAsync() => await _database.DisposeAsync();
}

using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.IntegrationTests.Deadlines;

/// <summary>One fresh PostgreSQL database per test class holding Cerebro's own schema; dropped afterwards.</summary>
public sealed class PostgresCerebroDatabase : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
    }

    public CerebroDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<CerebroDbContext>().UseNpgsql(ConnectionString).Options);

    public Task<Npgsql.NpgsqlConnection> OpenConnectionAsync() => _database.OpenConnectionAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();
}

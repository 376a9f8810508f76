using Microsoft.EntityFrameworkCore;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>One fresh PostgreSQL database per test class holding the schema of <typeparamref name="TContext"/>; dropped afterwards.</summary>
public abstract class PostgresSchemaDatabase<TContext> : IAsyncLifetime
    where TContext : DbContext
{
    private PostgresDatabase _database = null!;

    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
    }

    public TContext CreateContext() => CreateContext(new DbContextOptionsBuilder<TContext>().UseNpgsql(ConnectionString).Options);

    public Task<Npgsql.NpgsqlConnection> OpenConnectionAsync() => _database.OpenConnectionAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    protected abstract TContext CreateContext(DbContextOptions<TContext> options);
}

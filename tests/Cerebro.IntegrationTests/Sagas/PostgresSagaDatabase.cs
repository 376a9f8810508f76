using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.Tests.Shared.Sagas;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.IntegrationTests.Sagas;

/// <summary>A fresh PostgreSQL database per test class holding the counter schema.</summary>
public sealed class PostgresSagaDatabase : PostgresSchemaDatabase<CounterDbContext>
{
    protected override CounterDbContext CreateContext(DbContextOptions<CounterDbContext> options) => new(options);
}

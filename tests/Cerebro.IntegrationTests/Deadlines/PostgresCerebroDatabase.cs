using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.IntegrationTests.Deadlines;

/// <summary>A fresh PostgreSQL database per test class holding Cerebro's own schema.</summary>
public sealed class PostgresCerebroDatabase : PostgresSchemaDatabase<CerebroDbContext>
{
    protected override CerebroDbContext CreateContext(DbContextOptions<CerebroDbContext> options) => new(options);
}

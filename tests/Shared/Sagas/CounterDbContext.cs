using Microsoft.EntityFrameworkCore;

namespace Cerebro.Tests.Shared.Sagas;

/// <summary>The test saga's database.</summary>
public sealed class CounterDbContext(DbContextOptions<CounterDbContext> options) : DbContext(options)
{
    public DbSet<CounterState> Counters => Set<CounterState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfiguration(new CounterStateMap());
}

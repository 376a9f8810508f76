using Cerebro.Tests.Shared.Sagas;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.UnitTests.Sagas;

/// <summary>Maps the counter without a concurrency token: the mistake the repository must refuse.</summary>
public sealed class UnversionedCounterDbContext(DbContextOptions<UnversionedCounterDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<CounterState>(entity =>
        {
            entity.ToTable("counters");
            entity.HasKey(x => x.CorrelationId);
        });
}

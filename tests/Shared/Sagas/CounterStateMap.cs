using Cerebro.Server.Persistence.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cerebro.Tests.Shared.Sagas;

internal sealed class CounterStateMap : IEntityTypeConfiguration<CounterState>
{
    public void Configure(EntityTypeBuilder<CounterState> entity)
    {
        entity.ToTable("counters");
        entity.ConfigureSagaKey();
        entity.ConfigureSagaVersion();
        entity.Property(x => x.CurrentState).HasMaxLength(32);
        entity.Property(x => x.Name).HasMaxLength(64);
        entity.HasIndex(x => x.Name);
    }
}

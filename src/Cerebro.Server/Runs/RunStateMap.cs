using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cerebro.Server.Runs;

internal sealed class RunStateMap : IEntityTypeConfiguration<RunState>
{
    public void Configure(EntityTypeBuilder<RunState> entity)
    {
        entity.ToTable("runs");
        entity.HasKey(x => x.CorrelationId);
        entity.Property(x => x.CorrelationId).ValueGeneratedNever();
        entity.Property(x => x.Version).IsConcurrencyToken();
        entity.Property(x => x.CurrentState).HasMaxLength(32);
        entity.Property(x => x.Task).HasMaxLength(128);
        entity.Property(x => x.Trigger).HasMaxLength(16);
        entity.HasIndex(x => x.CreatedAt);
        entity.HasIndex(x => new { x.CurrentState, x.CreatedAt });
    }
}

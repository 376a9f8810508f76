using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cerebro.Server.TaskRuns;

internal sealed class TaskRunStateMap : IEntityTypeConfiguration<TaskRunState>
{
    public void Configure(EntityTypeBuilder<TaskRunState> entity)
    {
        entity.ToTable("task_runs");
        entity.HasKey(x => x.CorrelationId);
        entity.Property(x => x.CorrelationId).ValueGeneratedNever();
        entity.Property(x => x.Version).IsConcurrencyToken();
        entity.Property(x => x.CurrentState).HasMaxLength(32);
        entity.Property(x => x.Task).HasMaxLength(128);
        entity.Property(x => x.Agent).HasMaxLength(64);
        entity.Property(x => x.Owner).HasMaxLength(128);
        entity.Property(x => x.DeadlineKind).HasMaxLength(16);
        entity.Property(x => x.Upstreams).HasJsonConversion();
        entity.Property(x => x.Downstreams).HasJsonConversion();
        entity.HasIndex(x => x.RunId);
        entity.HasIndex(x => x.DeadlineDueMs);
        entity.HasIndex(x => new { x.Task, x.CreatedAt });
    }
}

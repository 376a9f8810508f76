using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Persistence;

/// <summary>Everything Cerebro keeps: the graph, the agents, the runs and their task runs (the two sagas).</summary>
public sealed class CerebroDbContext(DbContextOptions<CerebroDbContext> options) : DbContext(options)
{
    public DbSet<AgentRecord> Agents => Set<AgentRecord>();
    public DbSet<TaskRecord> Tasks => Set<TaskRecord>();
    public DbSet<TaskRefusalRecord> TaskRefusals => Set<TaskRefusalRecord>();
    public DbSet<TaskSuccessRecord> TaskSuccesses => Set<TaskSuccessRecord>();
    public DbSet<IgnoredMessageRecord> IgnoredMessages => Set<IgnoredMessageRecord>();
    public DbSet<GraphVersionRecord> GraphVersions => Set<GraphVersionRecord>();
    public DbSet<CronScheduleRecord> CronSchedules => Set<CronScheduleRecord>();
    public DbSet<SchemaInfoRecord> SchemaInfo => Set<SchemaInfoRecord>();
    public DbSet<RunState> Runs => Set<RunState>();
    public DbSet<TaskRunState> TaskRuns => Set<TaskRunState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new RunStateMap());
        modelBuilder.ApplyConfiguration(new TaskRunStateMap());

        modelBuilder.Entity<AgentRecord>(e =>
        {
            e.ToTable("agents");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(64);
        });
        modelBuilder.Entity<TaskRecord>(e =>
        {
            e.ToTable("tasks");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(128);
            e.HasIndex(x => x.Agent);
        });
        modelBuilder.Entity<TaskRefusalRecord>(e =>
        {
            e.ToTable("task_refusals");
            e.HasIndex(x => x.Agent);
        });
        modelBuilder.Entity<TaskSuccessRecord>(e =>
        {
            e.ToTable("task_successes");
            e.HasKey(x => x.Task);
        });
        modelBuilder.Entity<IgnoredMessageRecord>(e =>
        {
            e.ToTable("ignored_messages");
            e.HasIndex(x => x.At);
            e.HasIndex(x => x.RunId);
        });
        modelBuilder.Entity<SchemaInfoRecord>(e =>
        {
            e.ToTable("schema_info");
            e.Property(x => x.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<CronScheduleRecord>(e =>
        {
            e.ToTable("cron_schedules");
            e.HasKey(x => x.Task);
            e.Property(x => x.Task).HasMaxLength(128);
            e.HasIndex(x => x.NextFireAt);
        });
        modelBuilder.Entity<GraphVersionRecord>(e =>
        {
            e.ToTable("graph_version");
            e.Property(x => x.Id).ValueGeneratedNever();
        });
    }
}

using Cerebro.Server.Hosting;
using Cerebro.Server.Persistence;
using Cerebro.Server.Runs;
using Cerebro.Server.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cerebro.Server.Scheduling;

/// <summary>
/// Fires the declared cron schedules. Fire times live in the database (<see cref="CronScheduleRecord"/>), so a restart
/// loses none. An occurrence's run id is derived from the task and the occurrence, so two instances, or a crash between
/// starting the run and moving the schedule on, still start one run. After a pause (Cerebro down) the first missed
/// occurrence fires, late, and the others are skipped: one catch-up run, not a storm.
/// </summary>
public sealed class CronScheduler(IServiceScopeFactory scopes, IOptions<CerebroOptions> options, TimeProvider clock,
    ILogger<CronScheduler> logger) : PeriodicBackgroundService(clock, logger)
{
    private const int BatchSize = 100;
    private long? _syncedGraphVersion;

    protected override TimeSpan Interval => options.Value.CronInterval;

    protected override string PassName => "Cron tick";

    protected override Task RunPassAsync(CancellationToken cancellationToken) => TickAsync(cancellationToken);

    /// <summary>Brings the schedules in line with the declarations, then fires what is due; returns how many fired.</summary>
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        await SyncAsync(cancellationToken).ConfigureAwait(false);
        var fired = 0;
        int batch;
        do
        {
            batch = await FireDueAsync(cancellationToken).ConfigureAwait(false);
            fired += batch;
        }
        while (batch == BatchSize);
        return fired;
    }

    /// <summary>A schedule per declared cron task: new ones start from now, a changed expression starts over, removed ones go.</summary>
    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
        var version = await db.GraphVersions.AsNoTracking().Where(v => v.Id == 1).Select(v => (long?)v.Version)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? 0;
        if (version == _syncedGraphVersion)
            return;

        var now = Clock.GetUtcNow().UtcDateTime;
        var declared = await db.Tasks.AsNoTracking().Where(t => t.Cron != null)
            .ToDictionaryAsync(t => t.Name, t => t.Cron!, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        var schedules = await db.CronSchedules.ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var schedule in schedules)
        {
            if (!declared.TryGetValue(schedule.Task, out var cron))
            {
                db.CronSchedules.Remove(schedule);
                logger.LogInformation("Cron schedule of {Task} removed: the task no longer declares one", schedule.Task);
            }
            else if (cron != schedule.Cron)
            {
                schedule.Cron = cron;
                schedule.NextFireAt = CronExpression.NextAfter(cron, now);
                logger.LogInformation("Cron schedule of {Task} is now '{Cron}'; next run at {Next:o}", schedule.Task, cron, schedule.NextFireAt);
            }
        }

        var scheduled = schedules.Select(s => s.Task).ToHashSet(StringComparer.Ordinal);
        foreach (var (task, cron) in declared.Where(d => !scheduled.Contains(d.Key)))
        {
            var next = CronExpression.NextAfter(cron, now);
            db.CronSchedules.Add(new CronScheduleRecord { Task = task, Cron = cron, NextFireAt = next });
            logger.LogInformation("Cron schedule of {Task} ('{Cron}'): next run at {Next:o}", task, cron, next);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            _syncedGraphVersion = version;
        }
        catch (DbUpdateException ex)
        {
            // Another instance synced the same declarations at the same moment: the next tick reads its result.
            logger.LogDebug(ex, "Cron schedules changed meanwhile; syncing again on the next tick");
        }
    }

    private async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
        var launcher = scope.ServiceProvider.GetRequiredService<RunLauncher>();
        var now = Clock.GetUtcNow();
        var due = await db.CronSchedules.AsNoTracking().Where(s => s.NextFireAt <= now.UtcDateTime)
            .OrderBy(s => s.NextFireAt).Take(BatchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var schedule in due)
        {
            var occurrence = DateTime.SpecifyKind(schedule.NextFireAt, DateTimeKind.Utc);
            var launch = await launcher.LaunchAsync(
                new RunRequest(schedule.Task, null, "cron", "cron", CronExpression.RunIdFor(schedule.Task, occurrence)),
                cancellationToken).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            var outcome = launch.Outcome switch
            {
                RunLaunchOutcome.Launched or RunLaunchOutcome.AlreadyExists => "started",
                _ => $"not started: {launch.Reason}",
            };
            if (launch.Outcome is RunLaunchOutcome.Launched)
                CerebroMetrics.RecordCronFired(schedule.Task, new DateTimeOffset(occurrence), now);
            if (launch.RunId is null)
                logger.LogWarning("Cron run of {Task} for {Occurrence:o} {Outcome}", schedule.Task, occurrence, outcome);

            // Missed occurrences (Cerebro was down) are skipped: the next one is the first after now.
            var next = CronExpression.NextAfter(schedule.Cron, occurrence > now.UtcDateTime ? occurrence : now.UtcDateTime);
            var runId = launch.RunId;
            // Compare-and-set on the occurrence: a second instance that fired it too moves nothing twice.
            await db.CronSchedules.Where(s => s.Task == schedule.Task && s.NextFireAt == schedule.NextFireAt)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.NextFireAt, next)
                    .SetProperty(x => x.LastFiredAt, occurrence)
                    .SetProperty(x => x.LastRunId, runId)
                    .SetProperty(x => x.LastOutcome, outcome), cancellationToken).ConfigureAwait(false);
        }

        return due.Count;
    }
}

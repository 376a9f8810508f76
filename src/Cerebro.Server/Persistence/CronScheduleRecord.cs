namespace Cerebro.Server.Persistence;

/// <summary>
/// A task's cron schedule and its next fire time, kept apart from the declaration so a re-declaration does not lose
/// when the task last fired; Cerebro finds every due fire time here after a restart.
/// </summary>
public sealed class CronScheduleRecord
{
    public string Task { get; set; } = null!;
    public string Cron { get; set; } = null!;

    /// <summary>The next occurrence (UTC) not yet fired.</summary>
    public DateTime NextFireAt { get; set; }

    /// <summary>The occurrence last fired, and the run it started (null if the task could not run then).</summary>
    public DateTime? LastFiredAt { get; set; }

    public Guid? LastRunId { get; set; }
    public string? LastOutcome { get; set; }
}

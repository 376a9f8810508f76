namespace Cerebro.Server.Hosting;

/// <summary>Cerebro's settings, bound from the "Cerebro" configuration section.</summary>
public sealed class CerebroOptions
{
    public const string Section = "Cerebro";

    /// <summary>Default wait from an invoke to queued/started (per-task declarations override it).</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Default wait from queued to started.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Default wait from started to completed.</summary>
    public TimeSpan CompleteTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the deadline sweeper looks for due deadlines.</summary>
    public TimeSpan DeadlineSweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a claimed deadline stays with the instance that claimed it before another may fire it.</summary>
    public TimeSpan DeadlineClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the cron scheduler looks for due schedules (and for changed declarations).</summary>
    public TimeSpan CronInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often recovery looks for work that a crash may have left stalled.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a task run may look stalled before recovery nudges it.</summary>
    public TimeSpan RecoveryGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>An agent not heard from for this long is shown offline.</summary>
    public TimeSpan AgentOfflineAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// On RabbitMQ, offer agents <see cref="Cerebro.Contracts.Topology.TaskEventsExchange"/>, bound straight to the
    /// task-runs queue, for their task events (the declaration verdicts name it). Off: every agent message passes the
    /// agent-events queue, one hop more.
    /// </summary>
    public bool DirectTaskEvents { get; set; } = true;

    /// <summary>Path of the SQLite file of the embedded default.</summary>
    public string SqlitePath { get; set; } = "cerebro.db";
}

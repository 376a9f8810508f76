using Cerebro.Worker.Internal;

namespace Cerebro.Worker;

/// <summary>Describes one task as Cerebro sees it: owner, upstreams, schedule, timeouts. Each method returns the builder.</summary>
public sealed class CerebroTaskBuilder
{
    internal CerebroTaskBuilder(string name)
    {
        Definition = new TaskDefinition(name);
    }

    internal TaskDefinition Definition { get; }

    /// <summary>The team that owns the task and is told when it fails (required, 1 to 128 characters).</summary>
    /// <param name="owner">The owner team.</param>
    /// <returns>This builder.</returns>
    public CerebroTaskBuilder Owner(string owner)
    {
        Definition.Owner = owner;
        return this;
    }

    /// <summary>Free text for operators.</summary>
    /// <param name="description">The description.</param>
    /// <returns>This builder.</returns>
    public CerebroTaskBuilder Description(string description)
    {
        Definition.Description = description;
        return this;
    }

    /// <summary>Tasks that must run first, in the same run.</summary>
    /// <param name="tasks">The upstream task names.</param>
    /// <returns>This builder.</returns>
    public CerebroTaskBuilder DependsOn(params string[] tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var task in tasks)
            Definition.AddUpstream(task, null);
        return this;
    }

    /// <summary>
    /// A task whose earlier success is reused when it finished at most <paramref name="within"/> before the run was
    /// planned; otherwise it runs first in the same run.
    /// </summary>
    /// <param name="task">The upstream task name.</param>
    /// <param name="within">How fresh a reused success must be (at least 0).</param>
    /// <returns>This builder.</returns>
    public CerebroTaskBuilder DependsOnFresh(string task, TimeSpan within)
    {
        Definition.AddUpstream(task, within.TotalSeconds);
        return this;
    }

    /// <summary>A schedule in UTC: five cron fields, or six with seconds first (Cerebro checks the expression).</summary>
    /// <param name="expression">The cron expression, e.g. <c>*/5 * * * *</c>.</param>
    /// <returns>This builder.</returns>
    public CerebroTaskBuilder Cron(string expression)
    {
        Definition.Cron = expression;
        return this;
    }

    /// <summary>Overrides Cerebro's timeouts for this task; null keeps Cerebro's value.</summary>
    /// <param name="ack">From the invoke to <c>task.queued</c> or <c>task.started</c> (Cerebro's default 10 s).</param>
    /// <param name="start">From <c>task.queued</c> to <c>task.started</c> (default 10 min).</param>
    /// <param name="complete">From <c>task.started</c> to <c>task.completed</c> or <c>task.failed</c> (default 30 min).</param>
    /// <returns>This builder.</returns>
    public CerebroTaskBuilder Timeouts(TimeSpan? ack = null, TimeSpan? start = null, TimeSpan? complete = null)
    {
        Definition.AckSeconds = ack?.TotalSeconds;
        Definition.StartSeconds = start?.TotalSeconds;
        Definition.CompleteSeconds = complete?.TotalSeconds;
        return this;
    }
}

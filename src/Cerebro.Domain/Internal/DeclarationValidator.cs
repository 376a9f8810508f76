using System.Runtime.CompilerServices;
using NCrontab;

namespace Cerebro.Domain.Internal;

/// <summary>The per-task checks of a declaration: each returns the first problem, written for the agent's team.</summary>
internal static class DeclarationValidator
{
    // Small upstream lists are checked for repeats pairwise: cheaper than a set for the usual one or two edges.
    private const int PairwiseLimit = 8;

    private static readonly CrontabSchedule.ParseOptions FiveFields = new() { IncludingSeconds = false };
    private static readonly CrontabSchedule.ParseOptions SixFields = new() { IncludingSeconds = true };

    // Per-task methods are optimized at once, not tiered up: see the remarks on GraphBuilder.
    /// <summary>Null when <paramref name="task"/> may enter the graph, else why not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? Validate(TaskDefinition task, string agent, TaskGraph current, HashSet<string>? declaredTwice)
    {
        var name = task.Name;
        if (!Names.IsValidTaskName(name))
        {
            return $"task name '{name}' is invalid: it must match {Names.TaskNamePattern}";
        }

        if (string.IsNullOrWhiteSpace(task.Owner))
        {
            return $"task '{name}' has no owner";
        }

        if (task.Owner.Length > Names.MaxOwnerLength)
        {
            return $"task '{name}' has an owner longer than {Names.MaxOwnerLength} characters";
        }

        if (declaredTwice is not null && declaredTwice.Contains(name))
        {
            return $"task '{name}' is declared more than once in this declaration";
        }

        if (current.TryGet(name, out var existing) && !string.Equals(existing.Definition.Agent, agent, StringComparison.Ordinal))
        {
            return $"task '{name}' is already declared by agent '{existing.Definition.Agent}'";
        }

        return ValidateUpstreams(name, task.Upstreams) ?? ValidateTimeouts(name, task.Timeouts) ?? ValidateCron(name, task.Cron);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? ValidateUpstreams(string name, IReadOnlyList<Upstream> upstreams)
    {
        var count = upstreams.Count;
        HashSet<string>? seen = count > PairwiseLimit ? new HashSet<string>(count, StringComparer.Ordinal) : null;
        for (var i = 0; i < count; i++)
        {
            var upstream = upstreams[i];
            if (upstream is null)
            {
                return $"task '{name}' has an empty upstream entry";
            }

            var upstreamName = upstream.Task;
            if (!Names.IsValidTaskName(upstreamName))
            {
                return $"task '{name}' has an invalid upstream name '{upstreamName}': it must match {Names.TaskNamePattern}";
            }

            if (string.Equals(upstreamName, name, StringComparison.Ordinal))
            {
                return $"task '{name}' depends on itself";
            }

            if (seen is not null ? !seen.Add(upstreamName) : ListedBefore(upstreams, i))
            {
                return $"task '{name}' lists upstream '{upstreamName}' more than once";
            }

            if (upstream.FreshWithin is { } window && window <= TimeSpan.Zero)
            {
                return $"task '{name}' has upstream '{upstreamName}' with freshWithin {window}: it must be greater than zero";
            }
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ListedBefore(IReadOnlyList<Upstream> upstreams, int i)
    {
        var upstreamName = upstreams[i].Task;
        for (var k = 0; k < i; k++)
        {
            if (string.Equals(upstreams[k].Task, upstreamName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? ValidateTimeouts(string name, TaskTimeoutOverrides? timeouts)
    {
        if (timeouts is null)
        {
            return null;
        }

        return Positive(name, "ack", timeouts.Ack) ?? Positive(name, "start", timeouts.Start) ?? Positive(name, "complete", timeouts.Complete);

        static string? Positive(string name, string which, TimeSpan? value) =>
            value is { } v && v <= TimeSpan.Zero
                ? $"task '{name}' has a {which} timeout of {v}: it must be greater than zero"
                : null;
    }

    private static string? ValidateCron(string name, string? cron)
    {
        if (cron is null || IsValidCron(cron))
        {
            return null;
        }

        return $"task '{name}' has an invalid cron '{cron}': expected five fields (minute hour day month weekday), or six with seconds first";
    }

    /// <summary>True when NCrontab parses <paramref name="cron"/> with five fields, or with six (seconds first).</summary>
    public static bool IsValidCron(string cron) =>
        !string.IsNullOrWhiteSpace(cron)
        && (CrontabSchedule.TryParse(cron, FiveFields) is not null || CrontabSchedule.TryParse(cron, SixFields) is not null);
}

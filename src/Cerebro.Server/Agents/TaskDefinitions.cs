using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Domain;
using Cerebro.Server.Persistence;

namespace Cerebro.Server.Agents;

/// <summary>Converts between the wire's task declarations, the stored records and the domain's definitions.</summary>
internal static class TaskDefinitions
{
    public static TaskDefinition FromDeclaration(string agent, TaskDeclaration declaration) =>
        new(declaration.Name, agent, declaration.Owner,
            (declaration.Upstreams ?? []).Select(u => new Upstream(u.Task, ToSpan(u.FreshWithinSeconds))).ToList(),
            declaration.Cron,
            declaration.Timeouts is { } t ? new TaskTimeoutOverrides(ToSpan(t.AckSeconds), ToSpan(t.StartSeconds), ToSpan(t.CompleteSeconds)) : null,
            declaration.Description);

    public static TaskDefinition FromRecord(TaskRecord record)
    {
        var upstreams = ReadUpstreams(record.UpstreamsJson);
        var timeouts = record.AckTimeoutSeconds is null && record.StartTimeoutSeconds is null && record.CompleteTimeoutSeconds is null
            ? null
            : new TaskTimeoutOverrides(ToSpan(record.AckTimeoutSeconds), ToSpan(record.StartTimeoutSeconds), ToSpan(record.CompleteTimeoutSeconds));
        return new TaskDefinition(record.Name, record.Agent, record.Owner,
            upstreams.Select(u => new Upstream(u.Task, ToSpan(u.FreshWithinSeconds))).ToList(), record.Cron, timeouts, record.Description);
    }

    public static void CopyTo(TaskDefinition definition, TaskRecord record)
    {
        record.Name = definition.Name;
        record.Agent = definition.Agent;
        record.Owner = definition.Owner;
        record.Description = definition.Description;
        record.UpstreamsJson = UpstreamsJson(
            definition.Upstreams.Select(u => new UpstreamDeclaration { Task = u.Task, FreshWithinSeconds = u.FreshWithin?.TotalSeconds }));
        record.Cron = definition.Cron;
        record.AckTimeoutSeconds = definition.Timeouts?.Ack?.TotalSeconds;
        record.StartTimeoutSeconds = definition.Timeouts?.Start?.TotalSeconds;
        record.CompleteTimeoutSeconds = definition.Timeouts?.Complete?.TotalSeconds;
    }

    /// <summary>How a task's upstreams are stored, for accepted and refused tasks alike.</summary>
    public static string UpstreamsJson(IEnumerable<UpstreamDeclaration> upstreams) => JsonSerializer.Serialize(upstreams, WireJson.Options);

    public static IReadOnlyList<UpstreamDeclaration> ReadUpstreams(string json) =>
        JsonSerializer.Deserialize<List<UpstreamDeclaration>>(json, WireJson.Options) ?? [];

    public static string StatusName(Domain.TaskStatus status) => status == Domain.TaskStatus.Runnable ? "runnable" : "unresolved";

    // A value no TimeSpan can hold becomes a negative span, which the graph builder refuses with a reason.
    private static TimeSpan? ToSpan(double? seconds) => seconds switch
    {
        null => null,
        { } s when double.IsFinite(s) && Math.Abs(s) < TimeSpan.MaxValue.TotalSeconds => TimeSpan.FromSeconds(s),
        _ => TimeSpan.MinValue,
    };
}

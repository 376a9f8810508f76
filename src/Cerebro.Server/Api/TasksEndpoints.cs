using Cerebro.Server.Agents;
using Cerebro.Server.Hosting;
using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cerebro.Server.Api;

internal static class TasksEndpoints
{
    public static void MapTasks(this IEndpointRouteBuilder api)
    {
        api.MapGet("/tasks", async (CerebroDbContext db, GraphStore graphs, IOptions<CerebroOptions> options, CancellationToken ct) =>
        {
            var records = await db.Tasks.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
            var graph = await graphs.GetAsync(db, ct);
            var refused = await db.TaskRefusals.AsNoTracking().OrderBy(r => r.Task).ToListAsync(ct);
            var views = records.Select(r => ToView(r, graph, options.Value)).ToList();
            views.AddRange(refused.Select(ToView));
            return views;
        });

        api.MapGet("/tasks/{name}", async (string name, CerebroDbContext db, GraphStore graphs, IOptions<CerebroOptions> options, CancellationToken ct) =>
        {
            var record = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Name == name, ct);
            if (record is not null)
                return Results.Ok(ToView(record, await graphs.GetAsync(db, ct), options.Value));
            var refusal = await db.TaskRefusals.AsNoTracking().Where(r => r.Task == name).OrderByDescending(r => r.RefusedAt).FirstOrDefaultAsync(ct);
            return refusal is null
                ? Results.Problem(statusCode: 404, title: "Unknown task", detail: $"no agent declares a task named '{name}'")
                : Results.Ok(ToView(refusal));
        });
    }

    private static TaskView ToView(TaskRecord record, Domain.TaskGraph graph, CerebroOptions options)
    {
        return new TaskView(record.Name, record.Agent, record.Owner, record.Description,
            Upstreams(record.UpstreamsJson),
            graph.TryGet(record.Name, out _) ? graph.DownstreamOf(record.Name) : [],
            record.Cron,
            new TimeoutsView(record.AckTimeoutSeconds ?? options.AckTimeout.TotalSeconds,
                record.StartTimeoutSeconds ?? options.StartTimeout.TotalSeconds,
                record.CompleteTimeoutSeconds ?? options.CompleteTimeout.TotalSeconds),
            record.Status, record.StatusReason, record.DeclaredAt);
    }

    /// <summary>A refused task as its agent declared it; it is in no graph, so it has no downstreams, and no timeouts apply.</summary>
    private static TaskView ToView(TaskRefusalRecord refusal) =>
        new(refusal.Task, refusal.Agent, refusal.Owner, null, Upstreams(refusal.UpstreamsJson), [], refusal.Cron, null, "refused", refusal.Reason,
            refusal.RefusedAt);

    /// <summary>Upstreams as stored with a task or a refusal (<see cref="TaskDefinitions.UpstreamsJson"/>).</summary>
    private static List<UpstreamView> Upstreams(string upstreamsJson) =>
        TaskDefinitions.ReadUpstreams(upstreamsJson)
            .Select(u => new UpstreamView(u.Task, u.FreshWithinSeconds is null ? "run-first" : "fresh", u.FreshWithinSeconds)).ToList();
}

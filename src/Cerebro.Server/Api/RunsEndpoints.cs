using System.Text.Json;
using Cerebro.Server.Persistence;
using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Api;

internal static class RunsEndpoints
{
    public static void MapRuns(this IEndpointRouteBuilder api)
    {
        api.MapPost("/runs", async (StartRunBody? body, RunLauncher launcher, CancellationToken ct) =>
        {
            if (body is null || string.IsNullOrWhiteSpace(body.Task))
                return Results.Problem(statusCode: 400, title: "Invalid run request", detail: "the body must be JSON with a 'task' property");
            var trigger = body.Trigger ?? "api";
            if (trigger is not ("api" or "cli"))
                return Results.Problem(statusCode: 400, title: "Invalid run request", detail: $"trigger '{trigger}' is not api or cli");
            var launch = await launcher.LaunchAsync(new RunRequest(body.Task, body.Parameters, trigger, body.RequestedBy, body.RunId), ct);
            return launch.Outcome switch
            {
                RunLaunchOutcome.UnknownTask => Results.Problem(statusCode: 404, title: "Unknown task", detail: launch.Reason),
                RunLaunchOutcome.Unresolved => Results.Problem(statusCode: 409, title: "Task is unresolved", detail: launch.Reason),
                _ => Results.Accepted($"/api/runs/{launch.RunId}", new RunStarted(launch.RunId!.Value)),
            };
        });

        api.MapGet("/runs", async (string? task, string? status, int? limit, CerebroDbContext db, CancellationToken ct) =>
        {
            var query = db.Runs.AsNoTracking();
            if (!string.IsNullOrEmpty(task))
                query = query.Where(r => r.Task == task);
            if (!string.IsNullOrEmpty(status))
                query = WithStatus(query, db, status);

            var runs = await query.OrderByDescending(r => r.CreatedAt).Take(Math.Clamp(limit ?? 50, 1, 1000)).ToListAsync(ct);
            var pending = await PendingRunsAsync(db, runs.Select(r => r.CorrelationId).ToList(), ct);
            return runs.Select(r => new RunSummaryView(r.CorrelationId, r.Task, Status(r, pending.Contains(r.CorrelationId)), r.Trigger,
                r.CreatedAt, r.FinishedAt, r.TotalTaskRuns));
        });

        api.MapGet("/runs/{runId:guid}", async (Guid runId, CerebroDbContext db, CancellationToken ct) =>
        {
            var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == runId, ct);
            if (run is null)
                return Results.Problem(statusCode: 404, title: "Unknown run", detail: $"no run {runId}");
            var taskRuns = await db.TaskRuns.AsNoTracking().Where(t => t.RunId == runId).OrderBy(t => t.Position).ToListAsync(ct);
            var names = taskRuns.ToDictionary(t => t.CorrelationId, t => t.Task);
            var states = taskRuns.ToDictionary(t => t.CorrelationId, t => t.CurrentState);
            var notStarted = taskRuns.All(t => t.CurrentState is TaskRunStates.Pending or TaskRunStates.Reused);
            return Results.Ok(new RunView(run.CorrelationId, run.Task, Status(run, notStarted), run.Trigger, run.RequestedBy, run.CreatedAt,
                run.FinishedAt, JsonDocument.Parse(run.ParametersJson).RootElement.Clone(),
                taskRuns.Select(t => ToView(t, names, states)).ToList()));
        });
    }

    /// <summary>A pending task run waits for its upstreams that have not succeeded; once it has left pending, for none.</summary>
    private static TaskRunView ToView(TaskRunState t, Dictionary<Guid, string> names, Dictionary<Guid, string> states) =>
        new(t.CorrelationId, t.Task, t.Agent, t.Owner, t.CurrentState.ToLowerInvariant(), t.Attempt,
            t.Upstreams.Select(u => names.GetValueOrDefault(u, u.ToString())).ToList(),
            t.CurrentState != TaskRunStates.Pending
                ? []
                : t.Upstreams.Where(u => !states.TryGetValue(u, out var s) || !TaskRunStates.IsSuccess(s))
                    .Select(u => names.GetValueOrDefault(u, u.ToString())).ToList(),
            t.CreatedAt, t.InvokedAt, t.QueuedAt, t.StartedAt, t.FinishedAt,
            t.Error is null ? null : new ErrorView(t.Error, t.ErrorSource ?? "cerebro"),
            t.ResultJson is null ? null : JsonDocument.Parse(t.ResultJson).RootElement.Clone(),
            t.ReusedTaskRunId,
            t.DeadlineDueMs is { } due ? DateTimeOffset.FromUnixTimeMilliseconds(due).UtcDateTime : null,
            t.DeadlineKind);

    /// <summary>A running run none of whose task runs has been invoked yet is shown as pending.</summary>
    private static string Status(RunState run, bool notStarted) =>
        run.CurrentState == RunStates.Running && notStarted ? "pending" : run.CurrentState.ToLowerInvariant();

    /// <summary>
    /// The runs whose status as <see cref="Status"/> shows it is <paramref name="status"/>, decided in the query: pending
    /// and running are both stored as Running and differ by whether any task run has left pending (one NOT EXISTS on
    /// the task runs' run id index), so a page of pending runs is never cut short by running ones.
    /// </summary>
    private static IQueryable<RunState> WithStatus(IQueryable<RunState> runs, CerebroDbContext db, string status)
    {
        var started = StartedTaskRuns(db);
        return status.ToLowerInvariant() switch
        {
            "pending" => runs.Where(r => r.CurrentState == RunStates.Running && !started.Any(t => t.RunId == r.CorrelationId)),
            "running" => runs.Where(r => r.CurrentState == RunStates.Running && started.Any(t => t.RunId == r.CorrelationId)),
            "succeeded" => runs.Where(r => r.CurrentState == RunStates.Succeeded),
            "failed" => runs.Where(r => r.CurrentState == RunStates.Failed),
            _ => runs.Where(_ => false),
        };
    }

    private static async Task<HashSet<Guid>> PendingRunsAsync(CerebroDbContext db, List<Guid> runIds, CancellationToken ct)
    {
        var started = await StartedTaskRuns(db).Where(t => runIds.Contains(t.RunId)).Select(t => t.RunId).Distinct().ToListAsync(ct);
        return runIds.Except(started).ToHashSet();
    }

    /// <summary>The task runs that have left pending (a reused one never entered it): a run with none is pending.</summary>
    private static IQueryable<TaskRunState> StartedTaskRuns(CerebroDbContext db) =>
        db.TaskRuns.AsNoTracking().Where(t => t.CurrentState != TaskRunStates.Pending && t.CurrentState != TaskRunStates.Reused);
}

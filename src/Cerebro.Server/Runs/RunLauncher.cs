using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Domain;
using Cerebro.Server.Agents;
using Cerebro.Server.Hosting;
using Cerebro.Server.Messages;
using Cerebro.Server.Persistence;
using Cerebro.Server.TaskRuns;
using Cerebro.Server.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cerebro.Server.Runs;

/// <summary>
/// Plans a run and stores it with all its task runs in one transaction, then tells the task runs without upstreams
/// to start. Should the process die between the commit and those messages, recovery finds the ready task runs.
/// </summary>
public sealed class RunLauncher(CerebroDbContext db, GraphStore graphs, ISendEndpointProvider sendEndpoints,
    IOptions<CerebroOptions> options, TimeProvider clock, ILogger<RunLauncher> logger)
{
    public async Task<RunLaunch> LaunchAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var runId = request.RunId ?? Guid.CreateVersion7();
        using var trace = RunTelemetry.StartLaunch(request, runId);
        request = trace.Request;
        if (request.RunId is not null
            && await db.Runs.AsNoTracking().AnyAsync(r => r.CorrelationId == runId, cancellationToken).ConfigureAwait(false))
            return RunLaunch.AlreadyExists(runId);

        var graph = await graphs.GetAsync(db, cancellationToken).ConfigureAwait(false);
        if (!graph.TryGet(request.Task, out _))
            return RunLaunch.UnknownTask($"no agent declares a task named '{request.Task}'");

        var now = clock.GetUtcNow();
        var successes = await LastSuccessesAsync(graph, request.Task, cancellationToken).ConfigureAwait(false);
        var plan = RunPlanner.Plan(graph, request.Task,
            task => successes.TryGetValue(task, out var s) ? new DateTimeOffset(s.SucceededAt, TimeSpan.Zero) : null, now);
        switch (plan.Error)
        {
            case PlanError.UnknownTask:
                return RunLaunch.UnknownTask(plan.ErrorReason ?? $"unknown task '{request.Task}'");
            case PlanError.Unresolved:
                return RunLaunch.Unresolved(plan.ErrorReason ?? $"task '{request.Task}' is unresolved");
        }

        var parametersJson = JsonSerializer.Serialize(request.Parameters ?? new Dictionary<string, JsonElement>(), WireJson.Options);
        var taskRuns = CreateTaskRuns(plan, runId, parametersJson, request.TraceParent, successes, now.UtcDateTime);
        db.Runs.Add(new RunState
        {
            CorrelationId = runId,
            CurrentState = RunStates.Running,
            Task = request.Task,
            Trigger = request.Trigger,
            RequestedBy = request.RequestedBy,
            ParametersJson = parametersJson,
            TraceParent = request.TraceParent,
            CreatedAt = now.UtcDateTime,
            TotalTaskRuns = taskRuns.Count,
        });
        db.TaskRuns.AddRange(taskRuns);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException) when (request.RunId is not null)
        {
            // The same request raced us to the insert: that run stands, this one is not needed.
            db.ChangeTracker.Clear();
            if (await db.Runs.AsNoTracking().AnyAsync(r => r.CorrelationId == runId, cancellationToken).ConfigureAwait(false))
                return RunLaunch.AlreadyExists(runId);
            throw;
        }

        logger.LogInformation("Run {RunId} of {Task} launched by {Trigger}: {Count} task runs ({Reused} reused)",
            runId, request.Task, request.Trigger, taskRuns.Count, taskRuns.Count(t => t.CurrentState == TaskRunStates.Reused));
        trace.Launched(taskRuns);

        // All at once: one after the other, each waiting for the broker's confirm, a run of 10,000 first tasks took
        // half a minute to launch. Their order does not matter; each is confirmed before the launch answers.
        var endpoint = await sendEndpoints.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
        await Task.WhenAll(taskRuns.Where(t => t.CurrentState == TaskRunStates.Pending && t.Upstreams.Count == 0)
            .Select(ready => endpoint.Send(new TaskRunReady(ready.CorrelationId), cancellationToken))).ConfigureAwait(false);
        return RunLaunch.Launched(runId);
    }

    private List<TaskRunState> CreateTaskRuns(RunPlan plan, Guid runId, string parametersJson, string? traceParent,
        Dictionary<string, TaskSuccessRecord> successes, DateTime now)
    {
        var defaults = options.Value;
        var ids = plan.TaskRuns.ToDictionary(t => t.Task, _ => Guid.CreateVersion7(), StringComparer.Ordinal);
        var downstreams = plan.TaskRuns.ToDictionary(t => t.Task, _ => new List<Guid>(), StringComparer.Ordinal);
        foreach (var planned in plan.TaskRuns)
            foreach (var upstream in planned.Upstreams)
                downstreams[upstream].Add(ids[planned.Task]);

        var taskRuns = new List<TaskRunState>(plan.TaskRuns.Count);
        for (var position = 0; position < plan.TaskRuns.Count; position++)
        {
            var planned = plan.TaskRuns[position];
            var upstreams = planned.Upstreams.Select(u => ids[u]).ToList();
            taskRuns.Add(new TaskRunState
            {
                CorrelationId = ids[planned.Task],
                CurrentState = planned.Reused ? TaskRunStates.Reused : TaskRunStates.Pending,
                RunId = runId,
                Task = planned.Task,
                Agent = planned.Agent,
                Owner = planned.Owner,
                Attempt = 1,
                Position = position,
                Upstreams = upstreams,
                WaitingCount = upstreams.Count,
                Downstreams = downstreams[planned.Task],
                ParametersJson = parametersJson,
                TraceParent = traceParent,
                AckTimeoutSeconds = (planned.Timeouts?.Ack ?? defaults.AckTimeout).TotalSeconds,
                StartTimeoutSeconds = (planned.Timeouts?.Start ?? defaults.StartTimeout).TotalSeconds,
                CompleteTimeoutSeconds = (planned.Timeouts?.Complete ?? defaults.CompleteTimeout).TotalSeconds,
                CreatedAt = now,
                FinishedAt = planned.Reused ? now : null,
                ReusedTaskRunId = planned.Reused && successes.TryGetValue(planned.Task, out var success) ? success.TaskRunId : null,
            });
        }

        return taskRuns;
    }

    /// <summary>Loads the last successes of exactly the tasks the plan may reach, not of the whole graph.</summary>
    private async Task<Dictionary<string, TaskSuccessRecord>> LastSuccessesAsync(TaskGraph graph, string task, CancellationToken cancellationToken)
    {
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        stack.Push(task);
        while (stack.Count > 0)
        {
            if (!graph.TryGet(stack.Pop(), out var state))
                continue;
            foreach (var upstream in state.Definition.Upstreams)
                if (reachable.Add(upstream.Task))
                    stack.Push(upstream.Task);
        }

        var result = new Dictionary<string, TaskSuccessRecord>(StringComparer.Ordinal);
        foreach (var chunk in reachable.Chunk(1000))
        {
            var found = await db.TaskSuccesses.AsNoTracking().Where(s => chunk.Contains(s.Task))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var success in found)
                result[success.Task] = success;
        }

        return result;
    }
}

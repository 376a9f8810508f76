using System.Diagnostics;
using Cerebro.Contracts;
using Cerebro.Domain;
using Cerebro.Server.Hosting;
using Cerebro.Server.Messages;
using Cerebro.Server.Persistence;
using Cerebro.Server.TaskRuns;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Agents;

/// <summary>
/// Applies an agent's declaration to the graph: validates it, stores what was accepted and refused, and answers the
/// agent. Declarations are serialized (a process gate plus, on PostgreSQL, a transaction-scoped advisory lock), so two
/// agents declaring at once can never close a cycle between them unnoticed.
/// </summary>
public sealed class DeclarationService(CerebroDbContext db, GraphStore graphs, TaskEventsRoute taskEvents, TimeProvider clock,
    ILogger<DeclarationService> logger)
{
    private const long GraphLockKey = 0x43455245_42524F; // "CEREBRO"

    public async Task<DeclarationOutcome> DeclareAsync(ServerReady ready, ISendEndpointProvider replies, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (outcome, previousInstance) = await ApplyAsync(ready, now, cancellationToken).ConfigureAwait(false);
        // Before the verdict: the verdict lets the new instance publish its task events straight to the task-runs
        // queue, and they must queue up behind these.
        if (previousInstance is { } previous && previous != ready.Instance)
            await FailRunsLostToRestartAsync(ready, replies, cancellationToken).ConfigureAwait(false);
        var answering = Stopwatch.GetTimestamp();
        await AnswerAsync(ready, outcome, replies, now, cancellationToken).ConfigureAwait(false);
        logger.LogDebug("Verdict on {Count} tasks sent to agent {Agent} in {Elapsed:0} ms", ready.Tasks.Count, ready.Agent,
            Stopwatch.GetElapsedTime(answering).TotalMilliseconds);
        return outcome;
    }

    /// <summary>
    /// Validates and stores the declaration in one serialized transaction, and installs the committed graph in the
    /// cache; the agent's instance before it (null for a new agent). Sends nothing.
    /// </summary>
    internal async Task<(DeclarationOutcome Outcome, Guid? PreviousInstance)> ApplyAsync(ServerReady ready, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        DeclarationOutcome outcome;
        Guid? previousInstance = null;
        await graphs.DeclarationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var strategy = db.Database.CreateExecutionStrategy();
            outcome = await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                var started = Stopwatch.GetTimestamp();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                if (db.Database.IsNpgsql())
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({GraphLockKey})", cancellationToken).ConfigureAwait(false);

                var agent = await db.Agents.FindAsync([ready.Agent], cancellationToken).ConfigureAwait(false);
                previousInstance = agent?.Instance;
                // Under the lock the stored version cannot move, so the graph read here is the one this declaration replaces.
                var (version, current) = await graphs.GetWithVersionAsync(db, cancellationToken).ConfigureAwait(false);
                var locked = Stopwatch.GetTimestamp();
                var declared = TaskDefinitions.FromDeclarations(ready.Agent, ready.Tasks);
                var result = GraphBuilder.Declare(current, ready.Agent, declared);
                var validated = Stopwatch.GetTimestamp();

                await StoreAsync(current, result, agent, ready, now.UtcDateTime, cancellationToken).ConfigureAwait(false);
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO graph_version ("Id", "Version") VALUES (1, {version + 1})
                    ON CONFLICT ("Id") DO UPDATE SET "Version" = excluded."Version"
                    """, cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                var stored = Stopwatch.GetTimestamp();
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                graphs.Set(version + 1, result.Graph);
                logger.LogDebug("Declaration of {Count} tasks by {Agent}: lock and graph {Lock:0} ms, validation {Validation:0} ms, "
                    + "writes {Writes:0} ms, commit {Commit:0} ms", ready.Tasks.Count, ready.Agent,
                    Stopwatch.GetElapsedTime(started, locked).TotalMilliseconds, Stopwatch.GetElapsedTime(locked, validated).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(validated, stored).TotalMilliseconds, Stopwatch.GetElapsedTime(stored).TotalMilliseconds);
                return result;
            }).ConfigureAwait(false);
        }
        finally
        {
            graphs.DeclarationGate.Release();
        }

        return (outcome, previousInstance);
    }

    /// <summary>
    /// An agent acknowledges an invoke once the task started, so a restarted agent will never finish what it had
    /// started. Every task run the agent holds is told, not only those stored as started: the old instance's
    /// <c>task.started</c> may still wait in the task-runs queue, ahead of this message, and the saga applies them in
    /// order. A task run still invoked or queued when this arrives ignores it; its invoke goes to the new instance.
    /// </summary>
    private async Task FailRunsLostToRestartAsync(ServerReady ready, ISendEndpointProvider sendEndpoints, CancellationToken cancellationToken)
    {
        var held = await db.TaskRuns.AsNoTracking()
            .Where(t => t.Agent == ready.Agent && (t.CurrentState == TaskRunStates.Invoked || t.CurrentState == TaskRunStates.Queued
                || t.CurrentState == TaskRunStates.Started))
            .Select(t => new { t.CorrelationId, t.CurrentState })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (held.Count == 0)
            return;
        logger.LogWarning("Agent {Agent} restarted as instance {Instance}: {Started} started task runs are lost ({Held} in flight told)",
            ready.Agent, ready.Instance, held.Count(t => t.CurrentState == TaskRunStates.Started), held.Count);
        var endpoint = await sendEndpoints.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
        foreach (var taskRun in held)
            await endpoint.Send(new AgentRestarted(taskRun.CorrelationId, ready.Agent, ready.Instance), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes only what the declaration changed, set-based on PostgreSQL (a declaration may hold 100,000 tasks), and the
    /// agent's row; all in the declaration's transaction.
    /// </summary>
    private async Task StoreAsync(TaskGraph current, DeclarationOutcome outcome, AgentRecord? agent, ServerReady ready, DateTime now,
        CancellationToken cancellationToken)
    {
        var changes = GraphChanges.Between(current, outcome.Graph, ready.Agent);
        var refusals = RefusedDeclarations(outcome, ready).Select(r => new TaskRefusalRecord
        {
            Agent = ready.Agent,
            Task = r.Refusal.Task,
            Reason = r.Refusal.Reason,
            RefusedAt = now,
            Owner = r.Declaration?.Owner,
            UpstreamsJson = TaskDefinitions.UpstreamsJson(r.Declaration?.Upstreams ?? []),
            Cron = r.Declaration?.Cron,
        }).ToList();
        if (db.Database.IsNpgsql())
            await PostgresGraphWriter.WriteAsync(db, changes, ready.Agent, now, refusals, cancellationToken).ConfigureAwait(false);
        else
            await EfGraphWriter.WriteAsync(db, changes, ready.Agent, now, refusals, cancellationToken).ConfigureAwait(false);

        if (agent is null)
        {
            agent = new AgentRecord { Name = ready.Agent };
            db.Agents.Add(agent);
        }

        agent.State = "ready";
        agent.Instance = ready.Instance;
        agent.Version = ready.Version;
        agent.MaxConcurrency = ready.MaxConcurrency;
        agent.ReadyAt = now;
        agent.LastSeenAt = now;
        agent.Running = 0;
        agent.Queued = 0;
        agent.LastVerdict = outcome.Refused.Count == 0 ? "accepted" : "rejected";
        agent.LastVerdictReason = outcome.Refused.Count == 0 ? null : Summary(outcome);
    }

    /// <summary>
    /// Pairs each refusal with what was declared under its name (the first such declaration when a name came twice; none
    /// for a declaration without a name).
    /// </summary>
    private static IEnumerable<(TaskRefusal Refusal, TaskDeclaration? Declaration)> RefusedDeclarations(DeclarationOutcome outcome, ServerReady ready)
    {
        var refusedNames = outcome.Refused.Select(r => r.Task).ToHashSet(StringComparer.Ordinal);
        var declarations = ready.Tasks.Where(t => t.Name is not null && refusedNames.Contains(t.Name))
            .DistinctBy(t => t.Name).ToDictionary(t => t.Name!, StringComparer.Ordinal);
        return outcome.Refused.Select(r => (r, declarations.GetValueOrDefault(r.Task)));
    }

    private async Task AnswerAsync(ServerReady ready, DeclarationOutcome outcome, ISendEndpointProvider replies, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var unresolved = outcome.Unresolved.Select(u => new TaskProblem { Task = u.Task, Reason = u.Reason }).ToList();
        if (outcome.Refused.Count == 0)
        {
            logger.LogInformation("Agent {Agent} declared {Count} tasks, all accepted ({Unresolved} unresolved)",
                ready.Agent, outcome.Accepted.Count, unresolved.Count);
            await replies.SendToAgent(ready.Agent, MessageTypes.DeclarationAccepted, new DeclarationAccepted
            {
                Agent = ready.Agent,
                Instance = ready.Instance,
                Accepted = outcome.Accepted,
                Unresolved = unresolved,
                TaskEventsExchange = taskEvents.Exchange,
                At = now,
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var reason = Summary(outcome);
        logger.LogWarning("Agent {Agent} declaration refused in part: {Reason}", ready.Agent, reason);
        await replies.SendToAgent(ready.Agent, MessageTypes.DeclarationRejected, new DeclarationRejected
        {
            Agent = ready.Agent,
            Instance = ready.Instance,
            Reason = reason,
            Refused = outcome.Refused.Select(r => new TaskProblem { Task = r.Task, Reason = r.Reason }).ToList(),
            Accepted = outcome.Accepted,
            Unresolved = unresolved,
            TaskEventsExchange = taskEvents.Exchange,
            At = now,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string Summary(DeclarationOutcome outcome) =>
        $"{outcome.Refused.Count} task(s) refused: " + string.Join("; ", outcome.Refused.Select(r => $"{r.Task}: {r.Reason}"));
}

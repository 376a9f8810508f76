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
public sealed class DeclarationService(CerebroDbContext db, GraphStore graphs, TimeProvider clock, ILogger<DeclarationService> logger)
{
    private const long GraphLockKey = 0x43455245_42524F; // "CEREBRO"

    public async Task<DeclarationOutcome> DeclareAsync(ServerReady ready, ISendEndpointProvider replies, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        DeclarationOutcome outcome;
        Guid? previousInstance = null;
        await graphs.DeclarationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var strategy = db.Database.CreateExecutionStrategy();
            outcome = await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                if (db.Database.IsNpgsql())
                    await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({GraphLockKey})", cancellationToken).ConfigureAwait(false);

                previousInstance = await db.Agents.AsNoTracking().Where(a => a.Name == ready.Agent).Select(a => (Guid?)a.Instance)
                    .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                var records = await db.Tasks.ToDictionaryAsync(t => t.Name, cancellationToken).ConfigureAwait(false);
                var current = TaskGraph.From(records.Values.Select(TaskDefinitions.FromRecord));
                var declared = ready.Tasks.Select(t => TaskDefinitions.FromDeclaration(ready.Agent, t)).ToList();
                var result = GraphBuilder.Declare(current, ready.Agent, declared);

                Store(result, records, ready, now.UtcDateTime);
                var version = await BumpGraphVersionAsync(cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                graphs.Set(version, result.Graph);
                return result;
            }).ConfigureAwait(false);
        }
        finally
        {
            graphs.DeclarationGate.Release();
        }

        await AnswerAsync(ready, outcome, replies, now, cancellationToken).ConfigureAwait(false);
        if (previousInstance is { } previous && previous != ready.Instance)
            await FailRunsLostToRestartAsync(ready, replies, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>An agent acknowledges an invoke once the task started, so a restarted agent will never finish what it had started.</summary>
    private async Task FailRunsLostToRestartAsync(ServerReady ready, ISendEndpointProvider sendEndpoints, CancellationToken cancellationToken)
    {
        var started = await db.TaskRuns.AsNoTracking()
            .Where(t => t.Agent == ready.Agent && t.CurrentState == TaskRunStates.Started)
            .Select(t => t.CorrelationId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (started.Count == 0)
            return;
        logger.LogWarning("Agent {Agent} restarted as instance {Instance}; {Count} started task runs are lost", ready.Agent, ready.Instance, started.Count);
        var endpoint = await sendEndpoints.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
        foreach (var taskRunId in started)
            await endpoint.Send(new AgentRestarted(taskRunId, ready.Agent, ready.Instance), cancellationToken).ConfigureAwait(false);
    }

    private void Store(DeclarationOutcome outcome, Dictionary<string, TaskRecord> records, ServerReady ready, DateTime now)
    {
        var accepted = outcome.Accepted.ToHashSet(StringComparer.Ordinal);
        foreach (var record in records.Values.Where(r => r.Agent == ready.Agent && !accepted.Contains(r.Name)))
            db.Tasks.Remove(record);

        foreach (var state in outcome.Graph.Tasks)
        {
            var definition = state.Definition;
            var status = TaskDefinitions.StatusName(state.Status);
            if (!records.TryGetValue(definition.Name, out var record))
            {
                record = new TaskRecord { Name = definition.Name, DeclaredAt = now };
                db.Tasks.Add(record);
            }

            if (definition.Agent == ready.Agent)
            {
                TaskDefinitions.CopyTo(definition, record);
                record.DeclaredAt = now;
            }

            if (record.Status != status || record.StatusReason != state.Reason)
            {
                record.Status = status;
                record.StatusReason = state.Reason;
            }
        }

        db.TaskRefusals.RemoveRange(db.TaskRefusals.Where(r => r.Agent == ready.Agent));
        db.TaskRefusals.AddRange(RefusedDeclarations(outcome, ready).Select(r => new TaskRefusalRecord
        {
            Agent = ready.Agent,
            Task = r.Refusal.Task,
            Reason = r.Refusal.Reason,
            RefusedAt = now,
            Owner = r.Declaration?.Owner,
            UpstreamsJson = TaskDefinitions.UpstreamsJson(r.Declaration?.Upstreams ?? []),
            Cron = r.Declaration?.Cron,
        }));

        var agent = db.Agents.Find(ready.Agent);
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

    private async Task<long> BumpGraphVersionAsync(CancellationToken cancellationToken)
    {
        var row = await db.GraphVersions.FindAsync([1], cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            row = new GraphVersionRecord { Id = 1 };
            db.GraphVersions.Add(row);
        }

        row.Version++;
        return row.Version;
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
            At = now,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string Summary(DeclarationOutcome outcome) =>
        $"{outcome.Refused.Count} task(s) refused: " + string.Join("; ", outcome.Refused.Select(r => $"{r.Task}: {r.Reason}"));
}

using System.Data.Common;
using Cerebro.Contracts;
using Cerebro.Domain;
using Cerebro.Server.Agents;
using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerebro.Tests.Shared.Declarations;

/// <summary>
/// What a declaration leaves in the database, and in an instance's cached graph, when it only writes what changed:
/// run against each provider (the SQLite store writes through EF Core, PostgreSQL set-based). Two
/// <see cref="Instance"/>s on one database stand for two Cerebro instances. Names carry a prefix of their own per test,
/// so tests may share a database.
/// </summary>
public abstract class DeclarationStoreTests
{
    private static readonly DateTimeOffset T1 = new(2031, 3, 3, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddMinutes(5);
    private static readonly DateTimeOffset T3 = T1.AddMinutes(10);

    private readonly string _prefix = $"d{Guid.NewGuid():N}"[..9];

    /// <summary>A context on the test's database; <paramref name="interceptor"/>, when given, sees its commands and transactions.</summary>
    protected abstract CerebroDbContext CreateContext(IInterceptor? interceptor = null);

    [Fact]
    public async Task Redeclaration_RemovesDroppedTasks_RewritesChangedOnes_AndKeepsTheRest()
    {
        var cerebro = new Instance(this);
        var a = Agent("a");
        await cerebro.DeclareAsync(a, T1, Task("x"), Task("y", "x"), Task("z", "y"), Task("v", "y"));

        var outcome = await cerebro.DeclareAsync(a, T2,
            Task("x"), Task("z", "x"), FreshTask("v", "w", 3600), new TaskDeclaration { Name = Name("w"), Owner = "team-w", Cron = "0 3 * * *" });

        Assert.Equal([Name("x"), Name("z"), Name("v"), Name("w")], outcome.Accepted);
        var stored = await StoredTasksAsync();
        Assert.Equal([Name("v"), Name("w"), Name("x"), Name("z")], stored.Keys.Order());
        Assert.Equal($$"""[{"task":"{{Name("x")}}"}]""", stored[Name("z")].UpstreamsJson);
        Assert.Equal($$"""[{"task":"{{Name("w")}}","freshWithinSeconds":3600}]""", stored[Name("v")].UpstreamsJson);
        Assert.Equal(("team-w", "0 3 * * *"), (stored[Name("w")].Owner, stored[Name("w")].Cron));
        Assert.All(stored.Values, t => Assert.Equal((a, "runnable", (string?)null, T2.UtcDateTime), (t.Agent, t.Status, t.StatusReason, t.DeclaredAt)));
        Assert.Equal(stored.Keys.Order(), (await cerebro.GraphAsync()).TasksOf(a).Order());
    }

    [Fact]
    public async Task Declaration_TurnsAnotherAgentsTaskRunnable_AndBackToUnresolved()
    {
        var cerebro = new Instance(this);
        var (reporting, ingesting) = (Agent("a"), Agent("b"));
        await cerebro.DeclareAsync(reporting, T1, Task("report", "ingest"));
        var missing = $"upstream '{Name("ingest")}' is not declared by any agent";
        Assert.Equal(("unresolved", missing), Status(await StoredTasksAsync(), "report"));

        await cerebro.DeclareAsync(ingesting, T2, Task("ingest"));

        var stored = await StoredTasksAsync();
        Assert.Equal(("runnable", (string?)null), Status(stored, "report"));
        Assert.Equal(("runnable", (string?)null), Status(stored, "ingest"));
        Assert.Equal(T1.UtcDateTime, stored[Name("report")].DeclaredAt);

        await cerebro.DeclareAsync(ingesting, T3);

        stored = await StoredTasksAsync();
        Assert.Equal([Name("report")], stored.Keys);
        Assert.Equal(("unresolved", missing), Status(stored, "report"));
        Assert.Equal(T1.UtcDateTime, stored[Name("report")].DeclaredAt);
    }

    [Fact]
    public async Task RefusedTasks_ReplaceTheAgentsEarlierRefusals_WithWhatWasDeclared()
    {
        var cerebro = new Instance(this);
        var (first, second) = (Agent("a"), Agent("b"));
        await cerebro.DeclareAsync(first, T1, Task("shared"));
        await cerebro.DeclareAsync(second, T1, Task("shared"), Task("p", "q"), Task("q", "p"));

        var outcome = await cerebro.DeclareAsync(second, T2,
            new TaskDeclaration
            {
                Name = Name("shared"),
                Owner = "team-b",
                Cron = "0 3 * * *",
                Upstreams = [new UpstreamDeclaration { Task = "up", FreshWithinSeconds = 60 }],
            },
            Task("own"));

        var refusal = Assert.Single(outcome.Refused);
        Assert.Equal($"task '{Name("shared")}' is already declared by agent '{first}'", refusal.Reason);
        await using var db = CreateContext();
        var stored = Assert.Single(await db.TaskRefusals.AsNoTracking().Where(r => r.Agent == second).ToListAsync());
        Assert.Equal((Name("shared"), refusal.Reason, "team-b", "0 3 * * *", T2.UtcDateTime),
            (stored.Task, stored.Reason, stored.Owner, stored.Cron, stored.RefusedAt));
        Assert.Equal("""[{"task":"up","freshWithinSeconds":60}]""", stored.UpstreamsJson);
        var agent = await db.Agents.AsNoTracking().SingleAsync(r => r.Name == second);
        Assert.Equal("rejected", agent.LastVerdict);
        var tasks = await StoredTasksAsync();
        Assert.Equal((first, second), (tasks[Name("shared")].Agent, tasks[Name("own")].Agent));
    }

    [Fact]
    public async Task GraphChangedByAnotherInstance_IsReloadedBeforeTheNextDeclarationHere()
    {
        var (here, there) = (new Instance(this), new Instance(this));
        var (reporting, ingesting) = (Agent("a"), Agent("b"));
        await here.DeclareAsync(reporting, T1, Task("report", "ingest"), Task("kept"));
        await there.DeclareAsync(ingesting, T1, Task("ingest"));
        // The reporting agent restarts against the other instance and drops a task.
        await there.DeclareAsync(reporting, T2, Task("report", "ingest"));

        var outcome = await here.DeclareAsync(reporting, T3, Task("report", "ingest"), Task("kept"));

        Assert.Empty(outcome.Unresolved);
        var stored = await StoredTasksAsync();
        Assert.Equal([Name("ingest"), Name("kept"), Name("report")], stored.Keys.Order());
        Assert.Equal(("runnable", (string?)null), Status(stored, "report"));
        Assert.Equal(T3.UtcDateTime, stored[Name("kept")].DeclaredAt);
        var graph = await here.GraphAsync();
        Assert.True(graph.TryGet(Name("ingest"), out _));
        Assert.Equal([Name("report"), Name("kept")], graph.TasksOf(reporting));
    }

    [Fact]
    public async Task FailedCommit_LeavesTheInstanceOnTheCommittedGraph()
    {
        var (here, there) = (new Instance(this), new Instance(this));
        var a = Agent("a");
        await here.DeclareAsync(a, T1, Task("x"));

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            here.DeclareAsync(a, T2, new FailingCommit(), Task("x"), Task("ghost", "x")));
        // Another instance commits the version the failed declaration would have had.
        await there.DeclareAsync(Agent("b"), T2, Task("other"));

        var graph = await here.GraphAsync();
        Assert.False(graph.TryGet(Name("ghost"), out _));
        Assert.True(graph.TryGet(Name("other"), out _));
        var stored = await StoredTasksAsync();
        Assert.Equal([Name("other"), Name("x")], stored.Keys.Order());
        Assert.Equal(T1.UtcDateTime, stored[Name("x")].DeclaredAt);

        await here.DeclareAsync(a, T3, Task("x"), Task("ghost", "x"));
        Assert.Equal([Name("ghost"), Name("other"), Name("x")], (await StoredTasksAsync()).Keys.Order());
    }

    private string Agent(string name) => $"{_prefix}-{name}";

    private string Name(string task) => $"{_prefix}.{task}";

    private TaskDeclaration Task(string name, params string[] upstreams) => new()
    {
        Name = Name(name),
        Owner = "team-test",
        Upstreams = [.. upstreams.Select(u => new UpstreamDeclaration { Task = Name(u) })],
    };

    private TaskDeclaration FreshTask(string name, string upstream, double freshWithinSeconds) => new()
    {
        Name = Name(name),
        Owner = "team-test",
        Upstreams = [new UpstreamDeclaration { Task = Name(upstream), FreshWithinSeconds = freshWithinSeconds }],
    };

    private (string Status, string? Reason) Status(Dictionary<string, TaskRecord> stored, string task) =>
        (stored[Name(task)].Status, stored[Name(task)].StatusReason);

    private async Task<Dictionary<string, TaskRecord>> StoredTasksAsync()
    {
        await using var db = CreateContext();
        return await db.Tasks.AsNoTracking().Where(t => t.Name.StartsWith(_prefix + ".")).ToDictionaryAsync(t => t.Name);
    }

    /// <summary>One Cerebro instance: its own cached graph, a new context per declaration.</summary>
    private sealed class Instance(DeclarationStoreTests test)
    {
        private readonly GraphStore _graphs = new();

        public Task<DeclarationOutcome> DeclareAsync(string agent, DateTimeOffset at, params TaskDeclaration[] tasks) =>
            DeclareAsync(agent, at, null, tasks);

        public async Task<DeclarationOutcome> DeclareAsync(string agent, DateTimeOffset at, IInterceptor? interceptor, params TaskDeclaration[] tasks)
        {
            await using var db = test.CreateContext(interceptor);
            var service = new DeclarationService(db, _graphs, TaskEventsRoute.None, TimeProvider.System, NullLogger<DeclarationService>.Instance);
            var ready = new ServerReady { Agent = agent, Instance = Guid.NewGuid(), Tasks = tasks, SentAt = at };
            return (await service.ApplyAsync(ready, at, CancellationToken.None)).Outcome;
        }

        public async Task<TaskGraph> GraphAsync()
        {
            await using var db = test.CreateContext();
            return await _graphs.GetAsync(db, CancellationToken.None);
        }
    }

    /// <summary>Fails the commit, as a lost connection or a full disk would, after every statement went through.</summary>
    private sealed class FailingCommit : DbTransactionInterceptor
    {
        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("commit failed (test)");
    }
}

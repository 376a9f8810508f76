using System.Net;
using System.Net.Http.Json;
using Cerebro.Server.Api;
using Cerebro.Server.Deadlines;
using Cerebro.Server.Persistence;
using Cerebro.Server.Recovery;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// One coordinator per test, on a SQLite file of its own (deleted at the end), with the manual clock, the HTTP API's
/// client, fake agents on the same bus, and the background loops at hand.
/// </summary>
public sealed class Coordinator : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2031, 3, 3, 8, 0, 0, TimeSpan.Zero);

    private readonly string _directory;
    private readonly string _sqlitePath;
    private readonly CoordinatorFactory _factory;
    private readonly List<FakeAgent> _agents = [];

    private Coordinator(ITestOutputHelper? output, string environment)
    {
        // A directory of its own: once it is gone, work that outlives the host cannot re-create the database file.
        _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cerebro-coordinator-{Guid.NewGuid():N}")).FullName;
        _sqlitePath = Path.Combine(_directory, "cerebro.db");
        Clock = new ManualTimeProvider(Start);
        Logs = new LogSink(output);
        _factory = new CoordinatorFactory(_sqlitePath, Clock, Logs, environment);
        Logs.Note($"coordinator database {_sqlitePath}");
    }

    public ManualTimeProvider Clock { get; }

    public LogSink Logs { get; }

    public HttpClient Http { get; private set; } = null!;

    public IServiceProvider Services => _factory.Services;

    public string SqlitePath => _sqlitePath;

    public static async Task<Coordinator> StartAsync(ITestOutputHelper? output, string environment = "Production")
    {
        var coordinator = new Coordinator(output, environment);
        try
        {
            coordinator.Http = coordinator._factory.CreateClient();

            // The health checks include MassTransit's bus check: healthy means every receive endpoint is consuming.
            await Eventually.UntilAsync(async () => (await coordinator.Http.GetAsync("/health")).StatusCode,
                status => status == HttpStatusCode.OK, "the coordinator healthy");
            return coordinator;
        }
        catch
        {
            await coordinator.DisposeAsync();
            throw;
        }
    }

    public async Task<FakeAgent> AgentAsync(string name)
    {
        var agent = await FakeAgent.ConnectAsync(Services, name);
        _agents.Add(agent);
        return agent;
    }

    public Task<HttpResponseMessage> PostRunAsync(string task, object? parameters = null) =>
        Http.PostAsJsonAsync("/api/runs", new { task, parameters });

    public async Task<Guid> StartRunAsync(string task, object? parameters = null)
    {
        var response = await PostRunAsync(task, parameters);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted,
            $"POST /api/runs for '{task}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var started = await response.Content.ReadFromJsonAsync<RunStarted>();
        return started!.RunId;
    }

    public async Task<RunView> GetRunAsync(Guid runId) =>
        (await Http.GetFromJsonAsync<RunView>($"/api/runs/{runId}"))!;

    public Task<RunView> WaitForRunAsync(Guid runId, Func<RunView, bool> done, string what) =>
        Eventually.UntilAsync(() => GetRunAsync(runId), done, what);

    public Task<RunView> WaitForRunStatusAsync(Guid runId, string status) =>
        WaitForRunAsync(runId, r => r.Status == status, $"run {runId} {status}");

    public async Task<TaskRunView> WaitForTaskRunAsync(Guid runId, string task, string state)
    {
        var run = await WaitForRunAsync(runId, r => TaskRun(r, task).State == state, $"'{task}' {state} in run {runId}");
        return TaskRun(run, task);
    }

    public static TaskRunView TaskRun(RunView run, string task) =>
        run.Tasks.SingleOrDefault(t => t.Task == task)
        ?? throw new InvalidOperationException($"run {run.RunId} has no task run of '{task}': {string.Join(", ", run.Tasks.Select(t => t.Task))}");

    public async Task<IReadOnlyList<TaskView>> GetTasksAsync() =>
        (await Http.GetFromJsonAsync<List<TaskView>>("/api/tasks"))!;

    public async Task<TaskView?> GetTaskAsync(string name)
    {
        var response = await Http.GetAsync($"/api/tasks/{name}");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<TaskView>();
    }

    public async Task<IReadOnlyList<AgentView>> GetAgentsAsync() =>
        (await Http.GetFromJsonAsync<List<AgentView>>("/api/agents"))!;

    public async Task<IReadOnlyList<IgnoredMessageView>> GetIgnoredMessagesAsync(Guid? runId = null) =>
        (await Http.GetFromJsonAsync<List<IgnoredMessageView>>(runId is null ? "/api/ignored-messages" : $"/api/ignored-messages?runId={runId}"))!;

    /// <summary>Waits for the record of a message the agent sent, found by the agent's own message id.</summary>
    public Task<IgnoredMessageView> WaitForIgnoredAsync(Guid messageId) =>
        WaitForIgnoredAsync(r => r.MessageId == messageId, $"message {messageId}");

    public async Task<IgnoredMessageView> WaitForIgnoredAsync(Func<IgnoredMessageView, bool> match, string what)
    {
        var rows = await Eventually.UntilAsync(() => GetIgnoredMessagesAsync(), rows => rows.Any(match),
            $"{what} recorded as ignored or rejected");
        return rows.Single(match);
    }

    /// <summary>Waits for the record of a task event about <paramref name="taskRunId"/> (Cerebro's copy of the event may carry its own message id).</summary>
    public Task<IgnoredMessageView> WaitForIgnoredEventAsync(Guid taskRunId, string type) =>
        WaitForIgnoredAsync(r => r.TaskRunId == taskRunId && r.Type == type, $"{type} of task run {taskRunId}");

    /// <summary>One pass of the deadline sweeper that the host runs, as its timer would.</summary>
    public Task<int> SweepDeadlinesAsync() =>
        Services.GetServices<IHostedService>().OfType<DeadlineSweeper>().Single().SweepOnceAsync(CancellationToken.None);

    /// <summary>One pass of the host's cron scheduler (its own timer may have fired the same occurrence already).</summary>
    public Task<int> TickCronAsync() =>
        Services.GetRequiredService<Cerebro.Server.Scheduling.CronScheduler>().TickAsync(CancellationToken.None);

    public async Task<IReadOnlyList<ScheduleView>> GetSchedulesAsync() =>
        (await Http.GetFromJsonAsync<List<ScheduleView>>("/api/schedules"))!;

    /// <summary>One pass of the host's stall recovery.</summary>
    public Task RecoverAsync() =>
        Services.GetServices<IHostedService>().OfType<StallRecovery>().Single().RecoverOnceAsync(CancellationToken.None);

    public async Task<T> QueryAsync<T>(Func<CerebroDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CerebroDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var agent in _agents)
                await agent.StopAsync();
            Http?.Dispose();
            await _factory.DisposeAsync();
        }
        finally
        {
            // The coordinator's connection string, so exactly its pooled connections close before the files go.
            using (var connection = new SqliteConnection($"Data Source={_sqlitePath};Cache=Shared;Default Timeout=30"))
                SqliteConnection.ClearPool(connection);
            DeleteDirectory(_directory);
        }
    }

    /// <summary>
    /// A connection closing on a thread of the stopped host may still drop its journal file while the directory goes:
    /// try again until nothing reappears, for at most five seconds.
    /// </summary>
    private static void DeleteDirectory(string directory)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Yield();
            }
        }
    }
}

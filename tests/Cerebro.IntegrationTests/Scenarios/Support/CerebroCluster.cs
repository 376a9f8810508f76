using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.Server.Api;
using Xunit.Abstractions;
using Cerebro.Tests.Shared.Net;

namespace Cerebro.IntegrationTests.Scenarios.Support;

/// <summary>
/// One Cerebro deployment for one test, every part its own OS process: a fresh RabbitMQ virtual host and PostgreSQL
/// database, the Cerebro.Server process (restartable on the same database and virtual host), and the agents the test
/// starts. The HTTP API is reached through typed helpers. Disposal kills every process and drops the database and
/// the virtual host.
/// </summary>
public sealed class CerebroCluster : IAsyncDisposable
{
    public const string TaskServerA = "task-server-a";
    public const string TaskServerB = "task-server-b";
    public const string TaskServerPy = "task-server-py";

    /// <summary>How long a process may take to come up or an agent to be declared, on a loaded CI machine.</summary>
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a short run may take to end, on a loaded CI machine.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // The 10 s default ack timeout is what a busy 2-core CI machine can miss while it starts four processes at once;
    // scenarios about other things should not fail on it. A test about the ack timeout sets its own.
    private static readonly Dictionary<string, string> DefaultCerebroSettings = new(StringComparer.Ordinal)
    {
        ["Cerebro__AckTimeout"] = "00:01:00",
    };

    private readonly ITestOutputHelper _output;
    private readonly IReadOnlyDictionary<string, string> _cerebroSettings;
    private readonly List<ProcessHost> _agents = [];
    private readonly List<ProcessHost> _cerebros = [];
    private HttpClient? _http;

    private CerebroCluster(ITestOutputHelper output, RabbitMqVirtualHost virtualHost, PostgresDatabase database, IReadOnlyDictionary<string, string> cerebroSettings)
    {
        _output = output;
        VirtualHost = virtualHost;
        Database = database;
        _cerebroSettings = cerebroSettings;
    }

    public RabbitMqVirtualHost VirtualHost { get; }

    public PostgresDatabase Database { get; }

    /// <summary>The Cerebro process now serving (the latest started).</summary>
    public ProcessHost Cerebro => _cerebros.Count > 0 ? _cerebros[^1] : throw new InvalidOperationException("Cerebro was not started");

    /// <summary>The HTTP API of the Cerebro process now serving.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("Cerebro was not started");

    /// <summary>
    /// Creates the virtual host and the database and starts Cerebro; <paramref name="cerebroSettings"/> are extra
    /// environment variables of every Cerebro process (e.g. <c>Cerebro__AckTimeout=00:00:02</c>).
    /// </summary>
    public static async Task<CerebroCluster> StartAsync(ITestOutputHelper output, IReadOnlyDictionary<string, string>? cerebroSettings = null)
    {
        var virtualHost = await RabbitMqVirtualHost.CreateAsync();
        PostgresDatabase? database = null;
        CerebroCluster? cluster = null;
        try
        {
            database = await PostgresDatabase.CreateAsync();
            cluster = new CerebroCluster(output, virtualHost, database, cerebroSettings ?? new Dictionary<string, string>());
            await cluster.StartCerebroAsync();
            return cluster;
        }
        catch
        {
            if (cluster is not null)
                await cluster.DisposeAsync();
            else
            {
                if (database is not null)
                    await database.DisposeAsync();
                await virtualHost.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Starts a Cerebro process on a free port and waits until GET /health answers 200.</summary>
    public async Task StartCerebroAsync()
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__RabbitMq"] = VirtualHost.AmqpUri.AbsoluteUri,
            ["ConnectionStrings__Cerebro"] = Database.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        };
        foreach (var (key, value) in DefaultCerebroSettings.Concat(_cerebroSettings))
            environment[key] = value;

        var name = _cerebros.Count == 0 ? "cerebro" : $"cerebro-{_cerebros.Count + 1}";
        var process = ProcessHost.StartDotnet(name, RepositoryPaths.AssemblyOf("Cerebro.Server"), new ProcessHostOptions { Output = _output, Environment = environment });
        _cerebros.Add(process);
        _http?.Dispose();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

        var http = _http;
        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was healthy; see {process.LogPath}");
            try
            {
                using var response = await http.GetAsync("health");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, StartupTimeout, $"{name} to answer GET /health with 200");
    }

    /// <summary>Kills the Cerebro process with SIGKILL, as a crash would, and waits until it is gone.</summary>
    public async Task KillCerebroAsync()
    {
        Cerebro.KillHard();
        await Cerebro.WaitForExitAsync(StartupTimeout);
    }

    /// <summary>Starts the demo agent TaskServerA (<c>dotnet TaskServerA.dll</c>); <paramref name="settings"/> are extra environment variables.</summary>
    public ProcessHost StartTaskServerA(IReadOnlyDictionary<string, string>? settings = null) => StartDotnetAgent(TaskServerA, "TaskServerA", settings);

    /// <summary>Starts the demo agent TaskServerB (<c>dotnet TaskServerB.dll</c>).</summary>
    public ProcessHost StartTaskServerB(IReadOnlyDictionary<string, string>? settings = null) => StartDotnetAgent(TaskServerB, "TaskServerB", settings);

    /// <summary>Starts the Python agent (<c>/usr/bin/python3 src/TaskServerPy/agent.py</c>).</summary>
    public ProcessHost StartPythonAgent(IReadOnlyDictionary<string, string>? settings = null) =>
        Track(ProcessHost.StartPython(TaskServerPy, RepositoryPaths.PythonAgent, Options(settings)));

    /// <summary>Waits until GET /api/agents shows every named agent with Cerebro's verdict on its declaration.</summary>
    public async Task<IReadOnlyList<AgentView>> WaitForAgentsAsync(params string[] names)
    {
        var agents = await Poll.UntilAsync(GetAgentsAsync,
            list => names.All(n => list.Any(a => a.Name == n && !string.IsNullOrEmpty(a.LastVerdict))),
            StartupTimeout, $"GET /api/agents to show {string.Join(", ", names)} declared");
        return agents;
    }

    public async Task<IReadOnlyList<AgentView>> GetAgentsAsync() =>
        await Http.GetFromJsonAsync<List<AgentView>>("api/agents", Json) ?? [];

    public async Task<IReadOnlyList<TaskView>> GetTasksAsync() =>
        await Http.GetFromJsonAsync<List<TaskView>>("api/tasks", Json) ?? [];

    /// <summary>POST /api/runs with any body; the caller checks the answer.</summary>
    public Task<HttpResponseMessage> PostRunAsync(object body) => Http.PostAsJsonAsync("api/runs", body, Json);

    /// <summary>Starts a run of <paramref name="task"/> through POST /api/runs, which must answer 202; returns the run id.</summary>
    public async Task<Guid> StartRunAsync(string task, object? parameters = null)
    {
        using var response = await PostRunAsync(new { task, parameters, requestedBy = "scenario test" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/runs {task} answered {(int)response.StatusCode}: {text}");
        var started = JsonSerializer.Deserialize<RunStarted>(text, Json)!;
        _output.WriteLine($"run {started.RunId} of {task} started");
        return started.RunId;
    }

    public async Task<RunView> GetRunAsync(Guid runId) =>
        await Http.GetFromJsonAsync<RunView>($"api/runs/{runId}", Json) ?? throw new InvalidOperationException($"GET /api/runs/{runId} gave null");

    /// <summary>Polls GET /api/runs/{id} until <paramref name="accept"/> takes the run.</summary>
    public Task<RunView> WaitForRunAsync(Guid runId, Func<RunView, bool> accept, string what, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => GetRunAsync(runId), accept, timeout ?? RunTimeout, what);

    /// <summary>Polls until the run has ended (succeeded or failed) and logs its task runs.</summary>
    public async Task<RunView> WaitForRunEndAsync(Guid runId, TimeSpan? timeout = null)
    {
        var run = await WaitForRunAsync(runId, r => r.Status is "succeeded" or "failed", $"run {runId} to end", timeout);
        _output.WriteLine($"run {runId} of {run.Task} ended {run.Status}:");
        foreach (var t in run.Tasks)
            _output.WriteLine($"  {t.Task,-18} {t.State,-9} agent={t.Agent} attempt={t.Attempt} invoked={t.InvokedAt:HH:mm:ss.fff} started={t.StartedAt:HH:mm:ss.fff} finished={t.FinishedAt:HH:mm:ss.fff} error={t.Error?.Message}");
        return run;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Killed rather than stopped: a graceful stop is not under test here, and draining long tasks would take long.
        foreach (var process in _agents.Concat(_cerebros))
            process.KillHard();
        foreach (var process in _agents.Concat(_cerebros))
            await process.DisposeAsync();
        _http?.Dispose();
        await Database.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }

    private ProcessHost StartDotnetAgent(string agent, string project, IReadOnlyDictionary<string, string>? settings) =>
        Track(ProcessHost.StartDotnet(agent, RepositoryPaths.AssemblyOf(project), Options(settings)));

    private ProcessHostOptions Options(IReadOnlyDictionary<string, string>? settings)
    {
        var environment = new Dictionary<string, string?> { ["ConnectionStrings__RabbitMq"] = VirtualHost.AmqpUri.AbsoluteUri };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        return new ProcessHostOptions { Output = _output, Environment = environment };
    }

    private ProcessHost Track(ProcessHost process)
    {
        _agents.Add(process);
        return process;
    }
}

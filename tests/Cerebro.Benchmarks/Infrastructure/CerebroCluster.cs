using System.Diagnostics;
using System.Globalization;
using Cerebro.Tests.Shared.Net;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>
/// One Cerebro for one shape: a fresh RabbitMQ virtual host and PostgreSQL database, Cerebro.Server as a process
/// (its Release build, on 127.0.0.1), and benchmark agents as processes. Disposal kills the processes and deletes the
/// virtual host and the database.
/// </summary>
public sealed class CerebroCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FilePoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan SlowPoll = TimeSpan.FromMilliseconds(500);

    private readonly BenchContext _context;
    private readonly HttpClient _http;
    private readonly List<BenchAgent> _agents = [];

    private CerebroCluster(BenchContext context, string name, string id, int port)
    {
        _context = context;
        Name = name;
        VirtualHost = $"cerebro-bench-{id}";
        Database = $"cerebro_bench_{id}";
        LogDirectory = Path.Combine(context.OutputDirectory, "logs", name);
        Directory.CreateDirectory(LogDirectory);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(10) };
        Api = new CerebroApi(_http);
    }

    public string Name { get; }
    public string VirtualHost { get; }
    public string Database { get; }
    public string LogDirectory { get; }
    public CerebroApi Api { get; }
    public ChildProcess Server { get; private set; } = null!;
    public IReadOnlyList<BenchAgent> Agents => _agents;

    /// <summary>Creates the virtual host and database and starts Cerebro; returns once it consumes its agent-events queue.</summary>
    public static async Task<CerebroCluster> StartAsync(BenchContext context, string name, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? serverEnvironment = null)
    {
        var cluster = new CerebroCluster(context, name, Guid.NewGuid().ToString("N")[..12], FreePort.Next());
        try
        {
            await cluster.StartServerAsync(serverEnvironment, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts a benchmark agent declaring <paramref name="shapes"/>; waits until Cerebro has accepted its declaration.</summary>
    public async Task<BenchAgent> StartAgentAsync(string agent, string shapes, CancellationToken cancellationToken, TimeSpan? declarationTimeout = null)
    {
        var timestamps = Path.Combine(LogDirectory, $"{agent}.timestamps");
        var process = ChildProcess.StartDotnet(agent, _context.AgentAssembly, new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = BenchSettings.AmqpUriOf(VirtualHost).AbsoluteUri,
            ["BENCH_AGENT"] = agent,
            ["BENCH_SHAPES"] = shapes,
            ["BENCH_OUTPUT"] = timestamps,
            ["DOTNET_gcServer"] = "0",
            ["MASSTRANSIT_USAGE_TELEMETRY"] = "false",
        }, Path.Combine(LogDirectory, $"{agent}.log"));
        var benchAgent = new BenchAgent(agent, shapes, process, new AgentTimestamps(timestamps));
        _agents.Add(benchAgent);

        var timeout = declarationTimeout ?? StartTimeout;
        var verdict = await process.WaitForLineAsync(l => l.StartsWith("VERDICT ", StringComparison.Ordinal), timeout, "declaration verdict", cancellationToken)
            .ConfigureAwait(false);
        if (!verdict.Contains(" accepted ", StringComparison.Ordinal))
            throw new InvalidOperationException($"Cerebro did not accept the declaration of {agent} ({shapes}): {verdict}\n{process.Tail()}");

        // What an operator sees: the agent listed with its verdict.
        var deadline = Stopwatch.StartNew();
        while (await Api.AgentVerdictAsync(agent, cancellationToken).ConfigureAwait(false) != "accepted")
        {
            if (deadline.Elapsed > StartTimeout)
                throw new TimeoutException($"GET /api/agents does not show {agent} accepted after {StartTimeout.TotalSeconds} s");
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }

        benchAgent.Timestamps.Refresh();
        return benchAgent;
    }

    /// <summary>
    /// Triggers a run of <paramref name="task"/> and waits for its end; the run as the API shows it afterwards. With
    /// the agent that runs <paramref name="task"/>, the wait watches the agent's timestamp file for that task's end and
    /// asks Cerebro only every half second until then, so the benchmark's own polling does not load the coordinator it
    /// measures; the durations come from Cerebro's createdAt and finishedAt either way.
    /// </summary>
    public async Task<RunDetails> RunAsync(string task, TimeSpan timeout, CancellationToken cancellationToken, BenchAgent? agent = null)
    {
        var runId = await Api.StartRunAsync(task, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var lastAsked = -SlowPoll;
        string? status = null;
        while (true)
        {
            var rootEnded = false;
            if (agent is not null)
            {
                agent.Timestamps.Refresh();
                rootEnded = agent.Timestamps.Run(runId).TryGetValue(task, out var stamp) && stamp.End is not null;
            }

            if (agent is null || rootEnded || clock.Elapsed - lastAsked >= SlowPoll)
            {
                lastAsked = clock.Elapsed;
                status = await Api.RunStatusAsync(task, runId, cancellationToken).ConfigureAwait(false);
                if (status is "succeeded" or "failed")
                    break;
            }

            if (clock.Elapsed > timeout)
                throw new TimeoutException($"run {runId} of {task} not finished after {timeout.TotalSeconds:0} s (status {status ?? "not listed"})\n{Server.Tail(15)}");
            if (Server.HasExited)
                throw new InvalidOperationException($"Cerebro exited during run {runId}\n{Server.Tail()}");
            await Task.Delay(agent is null || rootEnded ? Poll : FilePoll, cancellationToken).ConfigureAwait(false);
        }

        var details = await Api.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (details.Status != "succeeded")
        {
            var errors = details.Tasks.Where(t => t.Error is not null && !t.Error.StartsWith("blocked", StringComparison.Ordinal)).Take(2)
                .Select(t => $"{t.Task}: {t.Error}");
            var counts = string.Join(", ", details.Tasks.GroupBy(t => t.State).Select(g => $"{g.Count()} {g.Key}"));
            throw new RunFailedException($"run {runId} of {task} ended {details.Status} ({counts}): {string.Join("; ", errors)}", details);
        }

        return details;
    }

    /// <summary>Waits until the agent's timestamp file holds the end of <paramref name="count"/> task runs of the run.</summary>
    public static async Task<IReadOnlyDictionary<string, TaskStamp>> WaitForStampsAsync(BenchAgent agent, Guid runId, int count, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            agent.Timestamps.Refresh();
            var run = agent.Timestamps.Run(runId);
            if (run.Count >= count && run.Values.All(s => s.End is not null))
                return run;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{agent.Name} wrote {run.Count} of {count} task runs of run {runId} within {timeout.TotalSeconds:0} s");
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
            await agent.Process.DisposeAsync().ConfigureAwait(false);
        if (Server is not null)
            await Server.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        if (_context.Options.Keep)
        {
            _context.Log($"{Name}: kept virtual host {VirtualHost} and database {Database}");
            return;
        }

        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await PostgresServer.DropDatabaseAsync(Database, cleanup.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _context.Log($"{Name}: dropping database {Database} failed: {ex.Message}");
        }

        try
        {
            await _context.Management.DeleteVirtualHostAsync(VirtualHost, cleanup.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _context.Log($"{Name}: deleting virtual host {VirtualHost} failed: {ex.Message}");
        }
    }

    private async Task StartServerAsync(IReadOnlyDictionary<string, string>? extra, CancellationToken cancellationToken)
    {
        await _context.Management.CreateVirtualHostAsync(VirtualHost, cancellationToken).ConfigureAwait(false);
        await PostgresServer.CreateDatabaseAsync(Database, cancellationToken).ConfigureAwait(false);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = BenchSettings.AmqpUriOf(VirtualHost).AbsoluteUri,
            ["ConnectionStrings__Cerebro"] = BenchSettings.PostgresOf(Database),
            ["ASPNETCORE_URLS"] = Api.BaseAddress.AbsoluteUri.TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // MassTransit 8.3+ reports usage to its vendor over the internet; the benchmark only ever talks to 127.0.0.1.
            ["MASSTRANSIT_USAGE_TELEMETRY"] = "false",
            ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
        };
        foreach (var (key, value) in _context.Options.ServerEnvironment.Concat(extra ?? new Dictionary<string, string>()))
            environment[key] = value;
        Server = ChildProcess.StartDotnet("cerebro", _context.ServerAssembly, environment, Path.Combine(LogDirectory, "cerebro.log"));

        // Healthy, and consuming the agents' events: an agent's server.ready sent earlier would go nowhere.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Server.HasExited)
                throw new InvalidOperationException($"Cerebro exited while starting\n{Server.Tail()}");
            if (await Api.IsHealthyAsync(cancellationToken).ConfigureAwait(false))
            {
                var queues = await _context.Management.GetQueuesAsync(VirtualHost, cancellationToken).ConfigureAwait(false);
                if (queues.Any(q => q.Name == "cerebro.agent-events" && q.Consumers > 0))
                    break;
            }

            if (clock.Elapsed > StartTimeout)
                throw new TimeoutException($"Cerebro not ready within {StartTimeout.TotalSeconds} s\n{Server.Tail()}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        _context.Log(string.Create(CultureInfo.InvariantCulture,
            $"{Name}: Cerebro pid {Server.Id} on {Api.BaseAddress} (vhost {VirtualHost}, database {Database}) ready after {clock.Elapsed.TotalSeconds:0.0} s"));
    }
}

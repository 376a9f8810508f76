using System.Text.Json;
using Cerebro.Server.Hosting;
using Cerebro.Server.Persistence;
using Cerebro.Server.Runs;
using Cerebro.Worker;
using Cerebro.UnitTests.Coordinator;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskServerA;
using TaskServerB;

namespace Cerebro.UnitTests.Telemetry;

/// <summary>
/// Cerebro in this process (<c>AddCerebro</c>: SQLite, in-memory transport, no OTLP endpoint) with, on request, the two
/// demo agents attached to its bus through <c>UseHostBus</c>, each in a host of its own as in the one-process demo.
/// Several instances may share one SQLite file one after the other, as a restarted Cerebro would.
/// </summary>
public sealed class InProcessCerebro : IAsyncDisposable
{
    private readonly List<IHost> _agents = [];

    private InProcessCerebro(IHost host, string sqlitePath)
    {
        Host = host;
        SqlitePath = sqlitePath;
    }

    public IHost Host { get; }

    public string SqlitePath { get; }

    public IServiceProvider Services => Host.Services;

    public static string NewSqlitePath() => Path.Combine(Path.GetTempPath(), $"cerebro-telemetry-{Guid.NewGuid():N}.db");

    public static async Task<InProcessCerebro> StartAsync(string sqlitePath, IReadOnlyDictionary<string, string?>? settings = null,
        ILoggerProvider? logs = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = "Production",
        });
        var configuration = new Dictionary<string, string?>
        {
            ["Cerebro:SqlitePath"] = sqlitePath,
            ["ConnectionStrings:Cerebro"] = "",
            ["ConnectionStrings:RabbitMq"] = "",
            ["Cerebro:RecoveryInterval"] = "1.00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            configuration[key] = value;
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        if (logs is not null)
            builder.Logging.AddProvider(logs);
        builder.AddCerebro();
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessCerebro(host, sqlitePath);
    }

    /// <summary>Attaches task-server-a and task-server-b to this Cerebro's bus and waits for Cerebro's verdict on both.</summary>
    public async Task AttachDemoAgentsAsync()
    {
        foreach (var (name, addTasks) in new (string, Func<ICerebroWorkerBuilder, ICerebroWorkerBuilder>)[]
                 {
                     (TaskServerATasks.AgentName, b => b.AddTaskServerATasks()),
                     (TaskServerBTasks.AgentName, b => b.AddTaskServerBTasks()),
                 })
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(Services.GetRequiredService<IBus>());
            builder.Services.AddSingleton(Services.GetRequiredService<IReceiveEndpointConnector>());
            addTasks(builder.Services.AddCerebroWorker(o =>
            {
                o.Agent = name;
                o.MaxConcurrency = 2;
            }).UseHostBus());
            var agent = builder.Build();
            _agents.Add(agent);
            await agent.StartAsync();
            await agent.Services.GetRequiredService<ICerebroWorkerStatus>().FirstVerdict.WaitAsync(Eventually.DefaultTimeout);
        }
    }

    /// <summary>Stops the attached agents (they send server.stopping); Cerebro keeps their declarations.</summary>
    public async Task DisposeAgentsAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.StopAsync();
            agent.Dispose();
        }

        _agents.Clear();
    }

    /// <summary>Launches a run as the HTTP API does (trigger api).</summary>
    public async Task<Guid> LaunchAsync(string task, object? parameters = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var values = parameters is null
            ? null
            : JsonSerializer.SerializeToElement(parameters).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        var launch = await scope.ServiceProvider.GetRequiredService<RunLauncher>()
            .LaunchAsync(new RunRequest(task, values, "api", "telemetry test"), CancellationToken.None);
        Assert.Equal(RunLaunchOutcome.Launched, launch.Outcome);
        return launch.RunId!.Value;
    }

    public async Task<T> QueryAsync<T>(Func<CerebroDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CerebroDbContext>());
    }

    /// <summary>Waits until the run exists (a requested run is launched asynchronously) and has ended.</summary>
    public async Task<RunState> WaitForRunEndAsync(Guid runId) =>
        (await Eventually.UntilAsync(() => QueryAsync(db => db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == runId)),
            run => run is not null && run.CurrentState != RunStates.Running, $"run {runId} to end"))!;

    public async ValueTask DisposeAsync()
    {
        await DisposeAgentsAsync();
        await Host.StopAsync();
        Host.Dispose();
    }

    /// <summary>Deletes a SQLite file the instances used, once they are all disposed.</summary>
    public static void DeleteDatabase(string sqlitePath)
    {
        using (var connection = new SqliteConnection($"Data Source={sqlitePath};Cache=Shared;Default Timeout=30"))
            SqliteConnection.ClearPool(connection);
        foreach (var file in new[] { sqlitePath, sqlitePath + "-journal", sqlitePath + "-wal", sqlitePath + "-shm" })
            File.Delete(file);
    }
}

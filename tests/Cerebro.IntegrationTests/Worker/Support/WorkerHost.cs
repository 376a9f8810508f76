using Cerebro.Contracts;
using Cerebro.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Worker.Support;

/// <summary>An SDK worker in-process: a generic host with <c>AddCerebroWorker().UseRabbitMq(uri)</c>.</summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private WorkerHost(IHost host, CapturedLogs logs)
    {
        Host = host;
        Logs = logs;
        Status = host.Services.GetRequiredService<ICerebroWorkerStatus>();
    }

    private int _stopped;

    public IHost Host { get; }

    public CapturedLogs Logs { get; }

    public ICerebroWorkerStatus Status { get; }

    public static async Task<WorkerHost> StartAsync(string amqpUri, string agent, ITestOutputHelper output,
        Action<ICerebroWorkerBuilder> tasks, Action<CerebroWorkerOptions>? configure = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var logs = new CapturedLogs(output);
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        var worker = builder.Services
            .AddCerebroWorker(o =>
            {
                o.Agent = agent;
                configure?.Invoke(o);
            })
            .UseRabbitMq(amqpUri);
        tasks(worker);

        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        var started = new WorkerHost(host, logs);
        await started.Status.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        return started;
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Host.Dispose();
        }
    }

    public static InvokeTask Invoke(string task, Guid? taskRunId = null, int attempt = 1, IReadOnlyDictionary<string, System.Text.Json.JsonElement>? parameters = null) => new()
    {
        TaskRunId = taskRunId ?? Guid.NewGuid(),
        RunId = Guid.NewGuid(),
        Task = task,
        Attempt = attempt,
        Parameters = parameters ?? new Dictionary<string, System.Text.Json.JsonElement>(),
        InvokedAt = DateTimeOffset.UtcNow,
        AckTimeoutSeconds = 10,
    };

    public static IReadOnlyDictionary<string, System.Text.Json.JsonElement> Parameters(object values) =>
        System.Text.Json.JsonSerializer.SerializeToElement(values).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    public static string NewAgentName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
}

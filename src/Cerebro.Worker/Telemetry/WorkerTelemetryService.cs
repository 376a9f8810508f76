using Cerebro.Worker.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cerebro.Worker.Telemetry;

/// <summary>
/// Runs the agent's OpenTelemetry SDK from before the worker's bus starts (Starting) until after it stopped (Stopped),
/// when an OTLP endpoint is set. A worker on the application's bus (<c>UseHostBus</c>) exports nothing of its own: the
/// application owns the bus and its telemetry (it should listen to the <c>Cerebro.Worker</c> source and meter).
/// </summary>
internal sealed class WorkerTelemetryService(string name, IOptionsMonitor<CerebroWorkerOptions> options, WorkerRuntime runtime)
    : IHostedLifecycleService
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private bool _acquired;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var settings = WorkerExportSettings.FromEnvironment();
        var worker = options.Get(name);
        if (settings.Any && worker.Transport != CerebroTransport.HostBus)
        {
            WorkerOpenTelemetry.Acquire(settings, worker.Agent, runtime.Status.Instance.ToString());
            _acquired = true;
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_acquired)
        {
            _acquired = false;
            WorkerOpenTelemetry.Release(FlushTimeout);
        }

        return Task.CompletedTask;
    }
}

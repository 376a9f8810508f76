using Microsoft.Extensions.Hosting;

namespace Cerebro.Worker.Internal;

/// <summary>
/// Drives one worker through the host's lifecycle. Connecting waits for <see cref="StartedAsync"/> and shutting down
/// happens in <see cref="StoppingAsync"/>, so the application's own bus (host-bus mode) is up on both sides,
/// whatever the order in which the hosted services were registered.
/// </summary>
internal sealed class CerebroWorkerService : IHostedLifecycleService
{
    private readonly WorkerRuntime _runtime;

    public CerebroWorkerService(WorkerRuntime runtime)
    {
        _runtime = runtime;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => _runtime.StartTransportAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken) => _runtime.ConnectAsync(cancellationToken);

    public Task StoppingAsync(CancellationToken cancellationToken) => _runtime.StopAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => _runtime.StopTransportAsync(cancellationToken);
}

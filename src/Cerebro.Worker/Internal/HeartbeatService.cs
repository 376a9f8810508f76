using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cerebro.Worker.Internal;

/// <summary>Sends <c>server.heartbeat</c> from <c>server.ready</c> until <c>server.stopping</c>, and repeats an unanswered <c>server.ready</c>.</summary>
internal sealed class HeartbeatService : BackgroundService
{
    private readonly WorkerRuntime _runtime;

    public HeartbeatService(WorkerRuntime runtime)
    {
        _runtime = runtime;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _runtime.Status.Ready.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return;
        }

        using var timer = new PeriodicTimer(_runtime.Options.HeartbeatInterval, _runtime.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false) && !_runtime.IsStopping)
            {
                try
                {
                    await _runtime.SendHeartbeatAsync(stoppingToken).ConfigureAwait(false);
                    await _runtime.RepeatReadyIfUnansweredAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _runtime.Logger.LogWarning(ex, "Sending a heartbeat failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

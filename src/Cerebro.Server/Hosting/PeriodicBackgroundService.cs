namespace Cerebro.Server.Hosting;

/// <summary>
/// A background pass that runs at start and then on every tick of <see cref="Interval"/> (on the injected clock, so
/// tests drive it); a failed pass is logged and the next tick tries again.
/// </summary>
public abstract class PeriodicBackgroundService(TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected abstract TimeSpan Interval { get; }

    /// <summary>What the pass is called in the log, e.g. "Deadline sweep".</summary>
    protected abstract string PassName { get; }

    protected abstract Task RunPassAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Clock);
        do
        {
            try
            {
                await RunPassAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{Pass} failed; retrying on the next tick", PassName);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}

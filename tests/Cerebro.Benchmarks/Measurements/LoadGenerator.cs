using System.Diagnostics;
using Cerebro.Benchmarks.Infrastructure;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Background load: triggers independent runs of one task at a paced rate (POST /api/runs), at most
/// <see cref="MaxInFlight"/> requests at once; a tick that finds them all busy is skipped and counted, so a Cerebro
/// that cannot keep up is not buried under an ever-growing queue of requests.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private const int MaxInFlight = 16;

    private readonly CerebroApi _api;
    private readonly string _task;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly Task _loop;
    private int _started;
    private int _skipped;
    private int _failed;

    public LoadGenerator(CerebroApi api, string task, double runsPerSecond)
    {
        _api = api;
        _task = task;
        _interval = TimeSpan.FromSeconds(1 / runsPerSecond);
        _loop = Task.Run(LoopAsync);
    }

    public int Started => Volatile.Read(ref _started);
    public int Skipped => Volatile.Read(ref _skipped);
    public int Failed => Volatile.Read(ref _failed);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var clock = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            next += _interval;
            if (_slots.Wait(0))
                _ = TriggerAsync();
            else
                Interlocked.Increment(ref _skipped);

            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        // Let the requests under way finish, so none is cut off by the cluster's disposal mid-flight.
        for (var i = 0; i < MaxInFlight; i++)
            await _slots.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    private async Task TriggerAsync()
    {
        try
        {
            await _api.StartRunAsync(_task, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _started);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            _slots.Release();
        }
    }
}

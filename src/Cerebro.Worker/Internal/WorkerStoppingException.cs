namespace Cerebro.Worker.Internal;

/// <summary>
/// Thrown while the worker stops, for an invoke it did not start: the endpoint's error pipe rethrows it so the
/// transport returns the invoke to the queue for the next instance instead of moving it to the error queue.
/// </summary>
internal sealed class WorkerStoppingException : CerebroException
{
    public WorkerStoppingException(string agent)
        : base($"agent '{agent}' is stopping: the invoke goes back to the queue unstarted")
    {
    }
}

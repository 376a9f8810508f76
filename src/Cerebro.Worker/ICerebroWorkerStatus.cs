namespace Cerebro.Worker;

/// <summary>
/// The live state of one worker, from dependency injection. With several workers in one application, resolve
/// <c>IEnumerable&lt;ICerebroWorkerStatus&gt;</c> and pick by <see cref="Agent"/>.
/// </summary>
public interface ICerebroWorkerStatus
{
    /// <summary>The agent's name (empty until the worker's options are read at start).</summary>
    string Agent { get; }

    /// <summary>This process start's instance id, as sent in <c>server.ready</c>.</summary>
    Guid Instance { get; }

    /// <summary>Completes when the worker consumes its queue and has sent <c>server.ready</c>; faults if start failed.</summary>
    Task Ready { get; }

    /// <summary>Completes with Cerebro's first verdict on this instance's declaration.</summary>
    Task<DeclarationVerdict> FirstVerdict { get; }

    /// <summary>Cerebro's latest verdict on this instance's declaration, or null before the first.</summary>
    DeclarationVerdict? LastVerdict { get; }

    /// <summary>Task handlers executing now.</summary>
    int Running { get; }

    /// <summary>Invokes accepted (<c>task.queued</c> sent) and waiting for a free slot.</summary>
    int Queued { get; }
}

namespace Cerebro.Worker.Internal;

internal sealed class WorkerStatus : ICerebroWorkerStatus
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<DeclarationVerdict> _firstVerdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<int> _running;
    private readonly Func<int> _queued;
    private volatile DeclarationVerdict? _lastVerdict;

    public WorkerStatus(Guid instance, Func<int> running, Func<int> queued)
    {
        Instance = instance;
        _running = running;
        _queued = queued;
    }

    public string Agent { get; set; } = string.Empty;

    public Guid Instance { get; }

    public Task Ready => _ready.Task;

    public Task<DeclarationVerdict> FirstVerdict => _firstVerdict.Task;

    public DeclarationVerdict? LastVerdict => _lastVerdict;

    public int Running => _running();

    public int Queued => _queued();

    public void SetReady() => _ready.TrySetResult();

    public void SetStartFailed(Exception exception) => _ready.TrySetException(exception);

    public void SetVerdict(DeclarationVerdict verdict)
    {
        _lastVerdict = verdict;
        _firstVerdict.TrySetResult(verdict);
    }
}

using Cerebro.Contracts;

namespace Cerebro.Worker.Internal;

/// <summary>A task run whose <c>task.started</c> was sent and whose handler executes.</summary>
internal sealed class RunningTask
{
    private int _finished;

    public RunningTask(InvokeTask invoke, TaskDefinition definition, TraceContext trace)
    {
        Invoke = invoke;
        Definition = definition;
        Trace = trace;
    }

    public InvokeTask Invoke { get; }

    public TaskDefinition Definition { get; }

    public TraceContext Trace { get; }

    public Task Completion { get; set; } = Task.CompletedTask;

    public RunKey Key => new(Invoke.TaskRunId, Invoke.Attempt);

    /// <summary>True the first time only: the one terminal event of a run is sent once, by the handler or the drain.</summary>
    public bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;
}

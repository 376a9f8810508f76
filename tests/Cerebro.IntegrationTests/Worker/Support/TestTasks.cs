using System.Collections.Concurrent;
using Cerebro.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.IntegrationTests.Worker.Support;

/// <summary>
/// Handlers the tests control: each execution is counted; <c>gate</c> waits until the test opens the gate of its
/// task run (or the handler is cancelled).
/// </summary>
public sealed class TestTasks
{
    public const string Owner = "team-test";

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<Guid, int> _executions = new();

    public int ExecutionsOf(Guid taskRunId) => _executions.GetValueOrDefault(taskRunId);

    public int TotalExecutions => _executions.Values.Sum();

    public void Open(Guid taskRunId) => Gate(taskRunId).TrySetResult();

    public void AddTo(ICerebroWorkerBuilder builder) => builder
        .AddTask("echo", t => t.Owner(Owner), async (TaskContext context, CancellationToken _) =>
        {
            Count(context);
            await Task.Yield();
            return new
            {
                echoed = context.GetParameter<string>("value"),
                times = context.GetParameter("times", 1),
                taskRunId = context.TaskRunId,
                attempt = context.Attempt,
            };
        })
        .AddTask("boom", t => t.Owner(Owner), (TaskContext context, CancellationToken _) =>
        {
            Count(context);
            throw new InvalidOperationException("the source system is on fire");
        })
        .AddTask("refuse", t => t.Owner(Owner), (TaskContext context, CancellationToken _) =>
        {
            Count(context);
            throw new TaskFailedException("refuse: the input file for 2026-11-21 is missing; ask team-x to re-deliver it");
        })
        .AddTask("gate", t => t.Owner(Owner), async (TaskContext context, CancellationToken cancellationToken) =>
        {
            Count(context);
            await Gate(context.TaskRunId).Task.WaitAsync(cancellationToken);
            return null;
        });

    private TaskCompletionSource Gate(Guid taskRunId) =>
        _gates.GetOrAdd(taskRunId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Count(TaskContext context) => _executions.AddOrUpdate(context.TaskRunId, 1, (_, n) => n + 1);
}

using Cerebro.Server.Messages;
using MassTransit;

namespace Cerebro.Server.Runs;

/// <summary>
/// One run, from launch to its end. The run launcher inserts the instance in <see cref="Running"/> with its task runs;
/// the run ends when none of them can move any more: succeeded if all completed, failed otherwise.
/// </summary>
public sealed class RunStateMachine : MassTransitStateMachine<RunState>
{
    public RunStateMachine()
    {
        Event(() => TaskRunFinished, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.ExecuteAsync(c => c.RecordUnknownRun(c.Message.RunId))); });
        Event(() => CompletionCheck, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.ExecuteAsync(c => c.RecordUnknownRun(c.Message.RunId))); });

        InstanceState(x => x.CurrentState);

        // A task run reports only when it leaves no open downstream behind (TaskRunBehaviorExtensions.AnnounceFinished),
        // so each report is a possible end, confirmed against the stored task runs.
        During(Running,
            When(TaskRunFinished)
                .TallyTaskRuns()
                .If(c => c.HasEnded(), ended => ended
                    .RecordEnd()
                    .IfElse(c => c.HasFailures(),
                        failed => failed.TransitionTo(Failed),
                        succeeded => succeeded.TransitionTo(Succeeded))),
            When(CompletionCheck)
                .TallyTaskRuns()
                .If(c => c.HasEnded(), ended => ended
                    .RecordEnd()
                    .IfElse(c => c.HasFailures(),
                        failed => failed.TransitionTo(Failed),
                        succeeded => succeeded.TransitionTo(Succeeded))));

        During(Succeeded, Failed,
            Ignore(TaskRunFinished),
            Ignore(CompletionCheck));
    }

    public State Running { get; private set; } = null!;
    public State Succeeded { get; private set; } = null!;
    public State Failed { get; private set; } = null!;

    public Event<TaskRunFinished> TaskRunFinished { get; private set; } = null!;
    public Event<RunCompletionCheck> CompletionCheck { get; private set; } = null!;
}

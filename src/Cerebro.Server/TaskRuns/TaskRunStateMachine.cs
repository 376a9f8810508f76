using Cerebro.Contracts;
using Cerebro.Server.Messages;
using MassTransit;

namespace Cerebro.Server.TaskRuns;

/// <summary>
/// One task run, from pending to a final state. The run launcher inserts the instance in <see cref="Pending"/>;
/// upstream results, the agent's task events and due deadlines move it on.
/// </summary>
public sealed class TaskRunStateMachine : MassTransitStateMachine<TaskRunState>
{
    public TaskRunStateMachine()
    {
        Event(() => Ready, e => e.CorrelateById(c => c.Message.TaskRunId));
        Event(() => UpstreamFailed, e => e.CorrelateById(c => c.Message.TaskRunId));
        Event(() => DeadlineExpired, e => e.CorrelateById(c => c.Message.TaskRunId));
        Event(() => AgentRestarted, e => e.CorrelateById(c => c.Message.TaskRunId));
        Event(() => TaskQueued, e => { e.CorrelateById(c => c.Message.TaskRunId); e.OnMissingInstance(m => m.ExecuteAsync(c => c.RecordUnknownTaskRun())); });
        Event(() => TaskStarted, e => { e.CorrelateById(c => c.Message.TaskRunId); e.OnMissingInstance(m => m.ExecuteAsync(c => c.RecordUnknownTaskRun())); });
        Event(() => TaskCompleted, e => { e.CorrelateById(c => c.Message.TaskRunId); e.OnMissingInstance(m => m.ExecuteAsync(c => c.RecordUnknownTaskRun())); });
        Event(() => TaskFailed, e => { e.CorrelateById(c => c.Message.TaskRunId); e.OnMissingInstance(m => m.ExecuteAsync(c => c.RecordUnknownTaskRun())); });

        InstanceState(x => x.CurrentState);

        // Ready comes only from what is committed: the launcher (no upstreams), the last upstream to succeed (after its
        // commit), or recovery (every upstream's stored state is a success).
        During(Pending,
            When(Ready)
                .SendInvoke()
                .TransitionTo(Invoked),
            When(UpstreamFailed)
                .RecordBlocked()
                .TransitionTo(Blocked)
                .AnnounceFinished());

        During(Invoked,
            When(TaskQueued, c => c.IsFromCurrentAttempt())
                .RecordQueued()
                .TransitionTo(Queued));

        During(Invoked, Queued,
            When(TaskStarted, c => c.IsFromCurrentAttempt())
                .RecordStarted()
                .TransitionTo(Started));

        During(Invoked, Queued, Started,
            When(TaskCompleted, c => c.IsFromCurrentAttempt())
                .RecordCompleted()
                .TransitionTo(Completed)
                .AnnounceFinished()
                .RecordSuccess(),
            When(TaskFailed, c => c.IsFromCurrentAttempt())
                .RecordAgentError()
                .TransitionTo(Error)
                .AnnounceFinished()
                .NotifyOwner(),
            When(DeadlineExpired, c => c.IsTheDeadlineAwaited())
                .RecordTimeout()
                .TransitionTo(Error)
                .AnnounceFinished()
                .NotifyOwner());

        During(Started,
            When(AgentRestarted)
                .RecordLostToRestart()
                .TransitionTo(Error)
                .AnnounceFinished()
                .NotifyOwner());

        During([Invoked, Queued, Started, Completed, Error, Blocked, Reused],
            Ignore(Ready),
            Ignore(UpstreamFailed));

        During([Pending, Invoked, Queued, Completed, Error, Blocked, Reused],
            Ignore(AgentRestarted));

        DuringAny(
            When(TaskQueued, c => !c.IsFromCurrentAttempt()).RecordForeignEvent(),
            When(TaskStarted, c => !c.IsFromCurrentAttempt()).RecordForeignEvent(),
            When(TaskCompleted, c => !c.IsFromCurrentAttempt()).RecordForeignEvent(),
            When(TaskFailed, c => !c.IsFromCurrentAttempt()).RecordForeignEvent(),
            When(DeadlineExpired, c => !c.IsTheDeadlineAwaited()).RecordStaleDeadline());

        // The invoke goes out just before the transaction that records it commits, so a quick agent's answer can find
        // the task run still pending: it waits for that commit (retried) rather than being dismissed as out of order.
        During(Pending,
            When(TaskQueued, c => c.IsFromCurrentAttempt()).AwaitInvokeCommit(),
            When(TaskStarted, c => c.IsFromCurrentAttempt()).AwaitInvokeCommit(),
            When(TaskCompleted, c => c.IsFromCurrentAttempt()).AwaitInvokeCommit(),
            When(TaskFailed, c => c.IsFromCurrentAttempt()).AwaitInvokeCommit());

        // DuringAny binds the agent events in every state, so MassTransit never treats them as unhandled: a current-attempt
        // event that does not move the task run forward is recorded here. The exception: an agent's events may reach
        // the saga out of order (Cerebro applies several at once), and a task.started that arrives after the
        // task.completed it preceded only fills in its time.
        During([Queued, Started, Completed, Error, Blocked, Reused],
            When(TaskQueued, c => c.IsFromCurrentAttempt())
                .IfElse(c => c.WasOvertaken(), late => late.RecordLateQueued(), other => other.RecordUnapplied()));
        During([Started, Completed, Error, Blocked, Reused],
            When(TaskStarted, c => c.IsFromCurrentAttempt())
                .IfElse(c => c.WasOvertaken(), late => late.RecordLateStarted(), other => other.RecordUnapplied()));
        During([Completed, Error, Blocked, Reused],
            When(TaskCompleted, c => c.IsFromCurrentAttempt()).RecordUnapplied(),
            When(TaskFailed, c => c.IsFromCurrentAttempt()).RecordUnapplied());

        OnUnhandledEvent(c => c.RecordUnappliedEvent());
    }

    public State Pending { get; private set; } = null!;
    public State Invoked { get; private set; } = null!;
    public State Queued { get; private set; } = null!;
    public State Started { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Error { get; private set; } = null!;
    public State Blocked { get; private set; } = null!;
    public State Reused { get; private set; } = null!;

    public Event<TaskRunReady> Ready { get; private set; } = null!;
    public Event<UpstreamFailed> UpstreamFailed { get; private set; } = null!;
    public Event<TaskRunDeadlineExpired> DeadlineExpired { get; private set; } = null!;
    public Event<AgentRestarted> AgentRestarted { get; private set; } = null!;
    public Event<TaskQueued> TaskQueued { get; private set; } = null!;
    public Event<TaskStarted> TaskStarted { get; private set; } = null!;
    public Event<TaskCompleted> TaskCompleted { get; private set; } = null!;
    public Event<TaskFailed> TaskFailed { get; private set; } = null!;
}

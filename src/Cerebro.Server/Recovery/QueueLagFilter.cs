using MassTransit;

namespace Cerebro.Server.Recovery;

/// <summary>On the task-runs queue: tells <see cref="QueueLag"/> the age of every message MassTransit stamped (agents' plain JSON carries no send time).</summary>
internal sealed class QueueLagFilter(QueueLag lag) : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        // SentTime is stamped with the sender's system clock; the age is measured on the same clock.
        if (context.SentTime is { } sent && context.GetRetryAttempt() == 0)
            lag.Observe(DateTime.UtcNow - sent);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("cerebro-queue-lag");
}

using Cerebro.Server.Persistence;
using MassTransit;
using Headers = Cerebro.Contracts.Headers;

namespace Cerebro.Server.Agents;

/// <summary>
/// Records agent messages that fail before the consumer sees them (a body that is not JSON at all): MassTransit moves
/// them to the error queue, and this makes them visible in the API with the reason too.
/// </summary>
internal sealed class AgentReceiveFaultRecorder(IServiceProvider services) : IReceiveObserver
{
    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class => Task.CompletedTask;

    public async Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        // The consumer records its own protocol violations; only faults that never reached it are recorded here.
        if (exception is ProtocolViolationException || exception.InnerException is ProtocolViolationException
            || !context.InputAddress.AbsolutePath.EndsWith(Contracts.Topology.AgentEventsQueue, StringComparison.Ordinal))
            return;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
        db.IgnoredMessages.Add(new IgnoredMessageRecord
        {
            At = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
            MessageId = context.TransportHeaders.Get<Guid>("MessageId") ?? (Guid.TryParse(context.GetMessageId()?.ToString(), out var id) ? id : null),
            Type = context.TransportHeaders.Get<string>(Headers.Type),
            Sender = context.TransportHeaders.Get<string>(Headers.Sender),
            Disposition = IgnoredMessageLog.Rejected,
            Reason = $"the message could not be read: {exception.GetBaseException().Message}",
            Body = AgentMessaging.Describe(context.Body.GetBytes()),
        });
        await db.SaveChangesAsync().ConfigureAwait(false);
    }
}

using System.Runtime.Serialization;
using Cerebro.Server.Persistence;
using MassTransit;

namespace Cerebro.Server.Agents;

/// <summary>
/// On the agent-events error pipe: a body MassTransit cannot even parse as JSON never reaches the consumer, so it is
/// recorded as rejected here, on its way to the error queue.
/// </summary>
internal sealed class UnreadableMessageFilter(IServiceProvider services) : IFilter<ExceptionReceiveContext>
{
    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (context.Exception is SerializationException ex)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IgnoredMessageLog>()
                .RecordUnreadableAsync(context,
                    $"the body of '{context.TransportHeaders.Get<string>(Cerebro.Contracts.Headers.Type)}' is not valid: {(ex.InnerException ?? ex).Message}").ConfigureAwait(false);
        }

        await next.Send(context).ConfigureAwait(false);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("cerebro-unreadable");
}

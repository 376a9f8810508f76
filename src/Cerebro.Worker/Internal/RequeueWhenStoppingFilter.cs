using System.Runtime.ExceptionServices;
using MassTransit;

namespace Cerebro.Worker.Internal;

/// <summary>
/// First filter of the agent endpoint's error pipe: a <see cref="WorkerStoppingException"/> escapes the pipe, so
/// the transport negatively acknowledges the message with requeue; every other fault goes on to the error queue.
/// </summary>
internal sealed class RequeueWhenStoppingFilter : IFilter<ExceptionReceiveContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("cerebroRequeueWhenStopping");

    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (context.Exception is WorkerStoppingException)
            ExceptionDispatchInfo.Capture(context.Exception).Throw();
        return next.Send(context);
    }
}

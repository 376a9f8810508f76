using MassTransit;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// Opens a logging scope around a saga's handling of one message, so every log line written meanwhile (Cerebro's, and
/// MassTransit's) carries the run, the task, the agent and the trace id: a log line in Grafana leads to its trace.
/// </summary>
internal sealed class SagaLogScopeFilter<TSaga>(ILogger logger, Func<TSaga, Dictionary<string, object?>> describe) : IFilter<SagaConsumeContext<TSaga>>
    where TSaga : class, ISaga
{
    public async Task Send(SagaConsumeContext<TSaga> context, IPipe<SagaConsumeContext<TSaga>> next)
    {
        using (logger.BeginScope(describe(context.Saga)))
            await next.Send(context).ConfigureAwait(false);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("cerebro-log-scope");
}

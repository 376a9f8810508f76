namespace Cerebro.Worker;

/// <summary>How a worker reaches Cerebro.</summary>
public enum CerebroTransport
{
    /// <summary>None chosen yet: starting the worker fails validation.</summary>
    None = 0,

    /// <summary>The worker creates and owns its own MassTransit RabbitMQ bus (<c>UseRabbitMq</c>).</summary>
    RabbitMq = 1,

    /// <summary>The worker uses the application's MassTransit bus (<c>UseHostBus</c>).</summary>
    HostBus = 2,
}

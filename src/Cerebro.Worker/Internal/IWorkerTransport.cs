using MassTransit;

namespace Cerebro.Worker.Internal;

/// <summary>
/// Where a worker's messages go and come from; the only place that knows the difference between its own RabbitMQ
/// bus and the application's bus.
/// </summary>
internal interface IWorkerTransport
{
    /// <summary>For logs: which broker or bus.</summary>
    string Description { get; }

    /// <summary>Starts the bus the transport owns, if any.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Connects the agent's receive endpoint (the queue <c>cerebro.agent.&lt;agent&gt;</c>).</summary>
    HostReceiveEndpointHandle ConnectAgentEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configure);

    /// <summary>
    /// Sends one event towards Cerebro; <paramref name="routingKey"/> is used where the transport routes by key. With
    /// <paramref name="exchange"/> (a task event, once a verdict named Cerebro's task-events exchange), the transport
    /// publishes it there if it publishes to exchanges at all, as mandatory: a message no queue takes fails the send.
    /// </summary>
    Task SendEventAsync<T>(T message, string routingKey, string? exchange, Action<SendContext<T>> stamp, CancellationToken cancellationToken)
        where T : class;

    /// <summary>Stops the bus the transport owns, if any.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}

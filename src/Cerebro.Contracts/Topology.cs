namespace Cerebro.Contracts;

/// <summary>The RabbitMQ names of the protocol: exchanges, queues and routing keys.</summary>
public static class Topology
{
    /// <summary>Durable topic exchange every agent publishes its messages to, routing key <c>&lt;agent&gt;.&lt;type&gt;</c>.</summary>
    public const string EventsExchange = "cerebro.events";

    /// <summary>
    /// Durable topic exchange an agent may publish its task events to instead of <see cref="EventsExchange"/>, once a
    /// declaration verdict for its current instance named it (<see cref="DeclarationAccepted.TaskEventsExchange"/>): it is
    /// bound straight to the queue that applies them. Same routing keys, headers and bodies.
    /// </summary>
    public const string TaskEventsExchange = "cerebro.task-events";

    /// <summary>Cerebro's durable queue, bound to <see cref="EventsExchange"/> with <c>#</c>.</summary>
    public const string AgentEventsQueue = "cerebro.agent-events";

    /// <summary>Durable topic exchange Cerebro publishes notifications to, routing key <c>&lt;owner&gt;.&lt;type&gt;</c>.</summary>
    public const string NotificationsExchange = "cerebro.notifications";

    /// <summary>The sender name Cerebro uses in <see cref="Headers.Sender"/>.</summary>
    public const string CerebroSender = "cerebro";

    /// <summary>The durable queue an agent consumes: invokes and declaration verdicts for it.</summary>
    public static string AgentQueue(string agent) => $"cerebro.agent.{agent}";

    /// <summary>The routing key of an agent's message on <see cref="EventsExchange"/>.</summary>
    public static string EventRoutingKey(string agent, string messageType) => $"{agent}.{messageType}";

    /// <summary>The routing key of a notification on <see cref="NotificationsExchange"/>.</summary>
    public static string NotificationRoutingKey(string owner, string messageType) => $"{owner}.{messageType}";
}

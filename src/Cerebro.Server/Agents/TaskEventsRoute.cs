using Cerebro.Contracts;

namespace Cerebro.Server.Agents;

/// <summary>
/// Where agents may publish their task events besides <see cref="Topology.EventsExchange"/>: the exchange bound to the
/// task-runs queue (RabbitMQ, <see cref="Hosting.CerebroOptions.DirectTaskEvents"/> on), or none.
/// </summary>
public sealed record TaskEventsRoute(string? Exchange)
{
    public static TaskEventsRoute None { get; } = new((string?)null);
}

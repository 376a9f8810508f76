namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// One hop of a chain on the agent's clock, in milliseconds: from the upstream handler's end (task.completed sent next)
/// to the downstream invoke's receipt, split at Cerebro's <c>invokedAt</c> (both on the machine's one clock).
/// </summary>
/// <param name="Total">Upstream handler end → downstream invoke received.</param>
/// <param name="Coordinator">Upstream handler end → Cerebro stamped the invoke (task.completed through Cerebro's sagas).</param>
/// <param name="Delivery">Cerebro stamped the invoke → the invoke came off the broker at the agent.</param>
/// <param name="Sdk">Invoke received → the handler's first line (the SDK's confirmed task.started in between).</param>
public sealed record HopSample(double Total, double Coordinator, double Delivery, double Sdk);

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// Cerebro's own activity source and meter, both named <see cref="Name"/>. Without a listener (no OTLP endpoint, no
/// test listener) starting an activity returns null and recording a measurement does nothing, so the hooks stay cheap.
/// </summary>
public static class CerebroTelemetry
{
    /// <summary>The name of Cerebro's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
    public const string Name = "Cerebro";

    /// <summary>The worker SDK's source and meter; listened to as well, for agents hosted in Cerebro's process (the demo).</summary>
    public const string WorkerName = "Cerebro.Worker";

    /// <summary>MassTransit's activity source and meter.</summary>
    public const string MassTransitName = "MassTransit";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);
}

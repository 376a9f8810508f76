namespace Cerebro.UnitTests.Telemetry;

/// <summary>
/// Activity listeners are process-wide and a span is recorded when any listener wants it, so the tests that listen
/// (and the one whose OpenTelemetry sampler drops spans) run alone, not beside each other or other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}

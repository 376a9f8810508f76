namespace Cerebro.UnitTests.Telemetry;

public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
{
    public bool Has(string tag, string value) => Tags.TryGetValue(tag, out var actual) && actual == value;
}

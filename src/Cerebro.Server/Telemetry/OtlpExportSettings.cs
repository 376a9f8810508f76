namespace Cerebro.Server.Telemetry;

/// <summary>
/// Which signals go out over OTLP, from the standard variables: a signal is exported when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or its own <c>OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT</c> is set, and
/// <c>OTEL_SDK_DISABLED</c> is not <c>true</c>. Nothing set: nothing exported, no SDK at all.
/// </summary>
public sealed record OtlpExportSettings(bool Traces, bool Metrics, bool Logs)
{
    public bool Any => Traces || Metrics || Logs;

    public static OtlpExportSettings From(Func<string, string?> read)
    {
        if (string.Equals(read("OTEL_SDK_DISABLED")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            return new(false, false, false);
        var all = IsSet(read("OTEL_EXPORTER_OTLP_ENDPOINT"));
        return new(all || IsSet(read("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")),
            all || IsSet(read("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")),
            all || IsSet(read("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")));
    }

    public static OtlpExportSettings From(IConfiguration configuration) => From(key => configuration[key]);

    private static bool IsSet(string? value) => !string.IsNullOrWhiteSpace(value);
}

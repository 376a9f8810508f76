namespace Cerebro.Worker.Telemetry;

/// <summary>
/// Which signals a worker exports over OTLP, from the standard environment variables: a signal goes out when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or its own <c>OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT</c> is set and
/// <c>OTEL_SDK_DISABLED</c> is not <c>true</c>.
/// </summary>
internal sealed record WorkerExportSettings(bool Traces, bool Metrics, bool Logs)
{
    public bool Any => Traces || Metrics || Logs;

    public static WorkerExportSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static WorkerExportSettings From(Func<string, string?> read)
    {
        if (string.Equals(read("OTEL_SDK_DISABLED")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            return new(false, false, false);
        var all = IsSet(read("OTEL_EXPORTER_OTLP_ENDPOINT"));
        return new(all || IsSet(read("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")),
            all || IsSet(read("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")),
            all || IsSet(read("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")));
    }

    private static bool IsSet(string? value) => !string.IsNullOrWhiteSpace(value);
}

using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// The OpenTelemetry SDK of a Cerebro process, built with <see cref="OpenTelemetrySdk.Create"/> and exporting over OTLP
/// as the standard <c>OTEL_*</c> variables say (endpoint, protocol, headers, service name, resource attributes), read
/// from the host's configuration so a command-line <c>--OTEL_...=</c> works too. Created only when an endpoint is set
/// (<see cref="OtlpExportSettings"/>); disposing it flushes and shuts the exporters down.
/// </summary>
internal sealed class CerebroOpenTelemetry : IDisposable
{
    public const string DefaultServiceName = "cerebro";

    public CerebroOpenTelemetry(OtlpExportSettings settings, IConfiguration configuration)
    {
        Sdk = OpenTelemetrySdk.Create(otel =>
        {
            otel.Services.AddSingleton(configuration);

            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the default name: their detector comes last.
            otel.ConfigureResource(resource => resource.Clear()
                .AddService(DefaultServiceName, serviceVersion: typeof(CerebroOpenTelemetry).Assembly.GetName().Version?.ToString())
                .AddTelemetrySdk()
                .AddEnvironmentVariableDetector());
            if (settings.Traces)
                otel.WithTracing(tracing => tracing
                    .AddSource(CerebroTelemetry.Name, CerebroTelemetry.WorkerName, CerebroTelemetry.MassTransitName)
                    .SetSampler(new ParentBasedSampler(new MessagingRootSampler())));
            if (settings.Metrics)
                otel.WithMetrics(metrics => metrics.AddMeter(CerebroTelemetry.Name, CerebroTelemetry.WorkerName, CerebroTelemetry.MassTransitName));
            if (settings.Logs)
                otel.WithLogging(configureBuilder: null, configureOptions: options =>
                {
                    options.IncludeScopes = true;
                    options.IncludeFormattedMessage = true;
                });
            otel.UseOtlpExporter();
        });
    }

    public OpenTelemetrySdk Sdk { get; }

    /// <summary>The SDK's logging as a provider of the host's logging (the SDK owns it and disposes it).</summary>
    public ILoggerProvider CreateLoggerProvider() => new ForwardingLoggerProvider(Sdk.GetLoggerFactory());

    /// <summary>Exports what is buffered (the batch exporters otherwise send every few seconds).</summary>
    public void Flush(TimeSpan timeout)
    {
        var milliseconds = (int)timeout.TotalMilliseconds;
        Sdk.TracerProvider.ForceFlush(milliseconds);
        Sdk.MeterProvider.ForceFlush(milliseconds);
    }

    public void Dispose() => Sdk.Dispose();
}

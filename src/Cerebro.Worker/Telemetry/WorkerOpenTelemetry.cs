using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cerebro.Worker.Telemetry;

/// <summary>
/// The OpenTelemetry SDK of an agent process (<see cref="OpenTelemetrySdk.Create"/>, OTLP as the <c>OTEL_*</c>
/// environment variables say), under the agent's name as service name unless <c>OTEL_SERVICE_NAME</c> says otherwise.
/// One per process: activity listeners are process-wide, so two SDKs would each export every span; workers of one
/// process share the first one's (reference-counted).
/// </summary>
internal static class WorkerOpenTelemetry
{
    private static readonly Lock Gate = new();
    private static OpenTelemetrySdk? _sdk;
    private static ILoggerFactory? _loggerFactory;
    private static int _users;

    /// <summary>The SDK's logging while it runs and exports logs; null otherwise.</summary>
    public static ILoggerFactory? LoggerFactory => Volatile.Read(ref _loggerFactory);

    public static void Acquire(WorkerExportSettings settings, string serviceName, string serviceInstanceId)
    {
        lock (Gate)
        {
            if (_users++ > 0)
                return;
            var sdk = OpenTelemetrySdk.Create(otel =>
            {
                otel.ConfigureResource(resource => resource.Clear()
                    .AddService(serviceName, serviceVersion: typeof(WorkerOpenTelemetry).Assembly.GetName().Version?.ToString(),
                        serviceInstanceId: serviceInstanceId)
                    .AddTelemetrySdk()
                    .AddEnvironmentVariableDetector());
                if (settings.Traces)
                    otel.WithTracing(tracing => tracing
                        .AddSource(WorkerTelemetry.Name, WorkerTelemetry.MassTransitName)
                        .SetSampler(new ParentBasedSampler(new WorkerRootSampler())));
                if (settings.Metrics)
                    otel.WithMetrics(metrics => metrics.AddMeter(WorkerTelemetry.Name, WorkerTelemetry.MassTransitName));
                if (settings.Logs)
                    otel.WithLogging(configureBuilder: null, configureOptions: options =>
                    {
                        options.IncludeScopes = true;
                        options.IncludeFormattedMessage = true;
                    });
                otel.UseOtlpExporter();
            });
            _sdk = sdk;
            if (settings.Logs)
                Volatile.Write(ref _loggerFactory, sdk.GetLoggerFactory());
        }
    }

    /// <summary>The last user flushes and shuts the SDK down.</summary>
    public static void Release(TimeSpan flushTimeout)
    {
        lock (Gate)
        {
            if (_users == 0 || --_users > 0 || _sdk is not { } sdk)
                return;
            Volatile.Write(ref _loggerFactory, null);
            _sdk = null;
            sdk.TracerProvider.ForceFlush((int)flushTimeout.TotalMilliseconds);
            sdk.MeterProvider.ForceFlush((int)flushTimeout.TotalMilliseconds);
            sdk.Dispose();
        }
    }
}

namespace Cerebro.Server.Telemetry;

/// <summary>Wires Cerebro's telemetry into a host; called by <c>AddCerebro</c>.</summary>
public static class CerebroTelemetryHostingExtensions
{
    /// <summary>
    /// Always: the hosted service behind the agents gauge (spans and measurements cost nothing until someone listens).
    /// With an OTLP endpoint (<see cref="OtlpExportSettings"/>): the OpenTelemetry SDK, exporting Cerebro's and
    /// MassTransit's spans and metrics, and the host's logs with their scopes.
    /// </summary>
    public static IHostApplicationBuilder AddCerebroTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHostedService<CerebroTelemetryService>();
        var settings = OtlpExportSettings.From(builder.Configuration);
        if (!settings.Any)
            return builder;

        var configuration = builder.Configuration;
        services.AddSingleton(_ => new CerebroOpenTelemetry(settings, configuration));
        if (settings.Logs)
            services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<CerebroOpenTelemetry>().CreateLoggerProvider());
        return builder;
    }
}

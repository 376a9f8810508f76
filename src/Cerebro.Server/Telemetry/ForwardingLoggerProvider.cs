namespace Cerebro.Server.Telemetry;

/// <summary>
/// Puts the OpenTelemetry SDK's logging (its own logger factory, owned and disposed by <see cref="CerebroOpenTelemetry"/>)
/// into the host's logging. Scopes the host opens reach it: the host hands them to each logger of a provider without
/// external-scope support, and the SDK's factory keeps them for its exporter.
/// </summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory inner) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}

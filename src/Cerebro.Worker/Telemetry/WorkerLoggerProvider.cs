using Microsoft.Extensions.Logging;

namespace Cerebro.Worker.Telemetry;

/// <summary>
/// The host's log lines, also to the agent's OpenTelemetry SDK while it runs (it starts with the host, after the
/// loggers are made). Added only when logs are exported. Scopes reach the SDK: a provider without external-scope
/// support gets each scope through its loggers.
/// </summary>
internal sealed class WorkerLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new SdkLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class SdkLogger(string category) : ILogger
    {
        private Bound? _bound;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            Inner?.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => Inner?.IsEnabled(logLevel) ?? false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Inner?.Log(logLevel, eventId, state, exception, formatter);

        private ILogger? Inner
        {
            get
            {
                var factory = WorkerOpenTelemetry.LoggerFactory;
                if (factory is null)
                    return null;
                var bound = _bound;
                if (bound is null || !ReferenceEquals(bound.Factory, factory))
                    _bound = bound = new Bound(factory, factory.CreateLogger(category));
                return bound.Logger;
            }
        }

        private sealed record Bound(ILoggerFactory Factory, ILogger Logger);
    }
}

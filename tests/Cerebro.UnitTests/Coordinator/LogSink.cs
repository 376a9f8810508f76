using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Keeps the coordinator's log lines: shown in the test output, and searchable by tests that wait on a logged fact.</summary>
public sealed class LogSink(ITestOutputHelper? output) : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
                return [.. _lines];
        }
    }

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>A line of the test's own, among the coordinator's.</summary>
    public void Note(string line) => Write($"{DateTime.UtcNow:HH:mm:ss.fff} [test] {line}");

    private void Write(string line)
    {
        lock (_lock)
            _lines.Add(line);
        try
        {
            output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has ended; a late line from the stopping host has nowhere to go.
        }
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}";
            sink.Write(exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}

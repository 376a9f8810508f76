using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Worker.Support;

/// <summary>Keeps the worker's log lines (for signals such as "ignores a copy") and echoes them to the test output.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ITestOutputHelper? _output;
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CapturedLogs(ITestOutputHelper? output)
    {
        _output = output;
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
                return [.. _lines];
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public async Task WaitForAsync(string fragment, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            Task written;
            lock (_lock)
            {
                if (_lines.Any(l => l.Contains(fragment, StringComparison.Ordinal)))
                    return;
                written = _written.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"no log line containing '{fragment}' within {within}");
            await Task.WhenAny(written, Task.Delay(left));
        }
    }

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_lock)
        {
            _lines.Add(line);
            var written = _written;
            _written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            written.TrySetResult();
        }

        try
        {
            _output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already ended; the line is kept above.
        }
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || category.StartsWith("Cerebro", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            owner.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
        }
    }
}

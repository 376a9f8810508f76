using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Cerebro.BenchmarkAgent;

/// <summary>
/// The agent's record for the harness: one line per event, appended to a file by a background thread so a handler
/// only enqueues a string. Times are <see cref="Stopwatch"/> ticks (CLOCK_MONOTONIC on Linux, so comparable across
/// the processes of one machine) and UTC ticks (comparable with Cerebro's own timestamps).
/// </summary>
internal sealed class TimestampLog : IDisposable
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StreamWriter _writer;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();

    public TimestampLog(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
        _thread = new Thread(Run) { IsBackground = true, Name = "bench-timestamp-log" };
        _thread.Start();
        Write($"F {Stopwatch.Frequency}");
    }

    public void Write(string line) => _lines.Enqueue(line);

    public void Dispose()
    {
        _stop.Set();
        _thread.Join(TimeSpan.FromSeconds(2));
        Drain();
        _writer.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.Wait(FlushEvery))
            Drain();
    }

    private void Drain()
    {
        lock (_writer)
        {
            var any = false;
            while (_lines.TryDequeue(out var line))
            {
                _writer.WriteLine(line);
                any = true;
            }

            if (any)
                _writer.Flush();
        }
    }
}

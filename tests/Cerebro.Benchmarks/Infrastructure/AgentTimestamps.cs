using System.Globalization;
using System.Text;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>
/// Reads the benchmark agent's timestamp file as it grows (see tests/Cerebro.BenchmarkAgent/BenchHandlers.cs for
/// the lines). Not thread-safe: one reader refreshes and queries it.
/// </summary>
public sealed class AgentTimestamps
{
    private readonly string _path;
    private readonly Dictionary<Guid, Dictionary<string, TaskStamp>> _runs = [];
    private readonly List<(long Ticks, string Task)> _ends = [];
    private readonly StringBuilder _partial = new();
    private long _offset;

    public AgentTimestamps(string path) => _path = path;

    public double Frequency { get; private set; } = 1e9;
    public long? ReadySendStart { get; private set; }
    public long? ReadySendEnd { get; private set; }
    public long? ReadyBodyBytes { get; private set; }
    public long? ReadySent { get; private set; }
    public long? VerdictAt { get; private set; }
    public string? Verdict { get; private set; }
    public int VerdictAccepted { get; private set; }
    public int VerdictRefused { get; private set; }

    /// <summary>Every handler start so far.</summary>
    public int StartCount { get; private set; }

    /// <summary>The task runs of one run seen so far, by task.</summary>
    public IReadOnlyDictionary<string, TaskStamp> Run(Guid runId) =>
        _runs.TryGetValue(runId, out var run) ? run : new Dictionary<string, TaskStamp>();

    /// <summary>How many handlers of tasks starting with <paramref name="prefix"/> ended within [from, to) (Stopwatch ticks).</summary>
    public int EndsBetween(string prefix, long from, long to) =>
        _ends.Count(e => e.Ticks >= from && e.Ticks < to && e.Task.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>How many handlers of tasks starting with <paramref name="prefix"/> started so far.</summary>
    public int StartsOf(string prefix) => _runs.Values.Sum(r => r.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal)));

    public double Milliseconds(long ticks) => ticks * 1000.0 / Frequency;

    /// <summary>Reads whatever the agent appended since the last call.</summary>
    public void Refresh()
    {
        if (!File.Exists(_path))
            return;
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length <= _offset)
            return;
        stream.Seek(_offset, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - _offset];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        _offset += read;
        _partial.Append(Encoding.UTF8.GetString(buffer, 0, read));
        var text = _partial.ToString();
        var lastNewline = text.LastIndexOf('\n');
        if (lastNewline < 0)
            return;
        _partial.Clear().Append(text.AsSpan(lastNewline + 1));
        foreach (var line in text[..lastNewline].Split('\n'))
            Parse(line.TrimEnd('\r'));
    }

    private void Parse(string line)
    {
        var f = line.Split(' ');
        switch (f[0])
        {
            case "F":
                Frequency = double.Parse(f[1], CultureInfo.InvariantCulture);
                break;
            case "READY-SEND-START":
                ReadySendStart = long.Parse(f[1], CultureInfo.InvariantCulture);
                break;
            case "READY-SEND-END":
                ReadySendEnd = long.Parse(f[1], CultureInfo.InvariantCulture);
                ReadyBodyBytes = long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) ? size : null;
                break;
            case "READY-SENT":
                ReadySent = long.Parse(f[1], CultureInfo.InvariantCulture);
                break;
            case "VERDICT":
                VerdictAt = long.Parse(f[1], CultureInfo.InvariantCulture);
                Verdict = f[2];
                VerdictAccepted = int.Parse(f[3], CultureInfo.InvariantCulture);
                VerdictRefused = int.Parse(f[4], CultureInfo.InvariantCulture);
                break;
            case "S":
                {
                    var stamp = Stamp(f[1], Guid.Parse(f[2]), Guid.Parse(f[3]));
                    stamp.Received = f[5] == "-" ? null : long.Parse(f[5], CultureInfo.InvariantCulture);
                    stamp.Start = long.Parse(f[6], CultureInfo.InvariantCulture);
                    stamp.StartUtc = long.Parse(f[7], CultureInfo.InvariantCulture);
                    stamp.InvokedAtUtc = long.Parse(f[8], CultureInfo.InvariantCulture);
                    StartCount++;
                    break;
                }

            case "E":
                {
                    var stamp = Stamp(f[1], Guid.Parse(f[2]), Guid.Parse(f[3]));
                    stamp.End = long.Parse(f[4], CultureInfo.InvariantCulture);
                    stamp.EndUtc = long.Parse(f[5], CultureInfo.InvariantCulture);
                    _ends.Add((stamp.End.Value, stamp.Task));
                    break;
                }
        }
    }

    private TaskStamp Stamp(string task, Guid taskRunId, Guid runId)
    {
        if (!_runs.TryGetValue(runId, out var run))
            _runs[runId] = run = new Dictionary<string, TaskStamp>(StringComparer.Ordinal);
        if (!run.TryGetValue(task, out var stamp))
            run[task] = stamp = new TaskStamp { Task = task, TaskRunId = taskRunId, RunId = runId };
        return stamp;
    }
}

using System.Diagnostics;
using System.Text;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>
/// A process the benchmark starts (<c>dotnet &lt;dll&gt;</c>): its stdout and stderr go to a log file, the latest lines
/// stay in memory to be waited for and shown when something fails. Disposal kills it (and its children) at once: a
/// benchmark cluster is thrown away, so there is nothing to shut down gracefully.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private readonly Queue<string> _tail = new();
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Line)> _waiters = [];
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lineCount;
    private bool _logClosed;

    private ChildProcess(string name, ProcessStartInfo startInfo, string logPath)
    {
        Name = name;
        LogPath = logPath;
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        _log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => _exited.TrySetResult(SafeExitCode());
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Called with every line, on the thread that read it (keep it short).</summary>
    public Action<string>? LineObserver { get; set; }

    /// <summary>How many lines so far (stdout and stderr).</summary>
    public long LineCount => Interlocked.Read(ref _lineCount);

    /// <summary>Starts <c>dotnet &lt;assembly&gt;</c> in the assembly's folder with extra environment variables.</summary>
    public static ChildProcess StartDotnet(string name, string assembly, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(assembly);
        // No telemetry, no first-run experience, and nothing of the caller's ASP.NET settings.
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
            startInfo.Environment[key] = value;

        var child = new ChildProcess(name, startInfo, logPath);
        child.Write($"=== starting {assembly}\n" + string.Join('\n', environment.Select(e => $"    {e.Key}={e.Value}")));
        child._process.Start();
        child._process.StandardInput.Close();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Starts any executable (e.g. perf) with its output logged.</summary>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string logPath)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        var child = new ChildProcess(name, startInfo, logPath);
        child.Write($"=== starting {fileName} {string.Join(' ', startInfo.ArgumentList)}");
        child._process.Start();
        child._process.StandardInput.Close();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGINT (perf record writes its data and ends on it), then waits for the exit; the exit code, or null on timeout.</summary>
    public async Task<int?> InterruptAsync(TimeSpan timeout)
    {
        if (!HasExited)
            _ = Kill(_process.Id, 2);
        try
        {
            return await _exited.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Waits for the process to end by itself; the exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _exited.Task.WaitAsync(timeout);

    /// <summary>The first later line that matches, or an exception with the tail of the log (timeout, or the process ended).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var waiter = (predicate, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
            _waiters.Add(waiter);
        try
        {
            var line = waiter.Item2.Task;
            var done = await Task.WhenAny(line, _exited.Task).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (done == line)
                return await line.ConfigureAwait(false);
            throw new InvalidOperationException($"{Name} exited (code {await _exited.Task.ConfigureAwait(false)}) before {what}.\n{Tail()}");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name}: no {what} within {timeout.TotalSeconds:0.#} s.\n{Tail()}");
        }
        finally
        {
            lock (_gate)
                _waiters.Remove(waiter);
        }
    }

    /// <summary>The last lines, for error messages.</summary>
    public string Tail(int lines = 30)
    {
        lock (_gate)
            return $"last lines of {Name} (all in {LogPath}):\n" + string.Join('\n', _tail.TakeLast(lines).Select(l => "  | " + l));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await Task.WhenAny(_exited.Task, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        lock (_gate)
        {
            _logClosed = true;
            _log.Dispose();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        Interlocked.Increment(ref _lineCount);
        LineObserver?.Invoke(line);
        List<TaskCompletionSource<string>> matched = [];
        lock (_gate)
        {
            if (!_logClosed)
                _log.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > KeptLines)
                _tail.Dequeue();
            foreach (var (predicate, tcs) in _waiters)
            {
                if (predicate(line))
                    matched.Add(tcs);
            }
        }

        foreach (var tcs in matched)
            tcs.TrySetResult(line);
    }

    private void Write(string text)
    {
        lock (_gate)
        {
            if (!_logClosed)
            {
                _log.WriteLine(text);
                _log.Flush();
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private int SafeExitCode()
    {
        try
        {
            return _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }
}

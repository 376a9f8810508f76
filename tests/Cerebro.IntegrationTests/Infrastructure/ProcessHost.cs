using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>
/// A child process under test (<c>dotnet &lt;dll&gt;</c>, <c>/usr/bin/python3 &lt;script&gt;</c>, anything): its stdout and
/// stderr lines are kept in memory, written to the test's output and to .artifacts/logs/&lt;test&gt;/&lt;name&gt;.log, and
/// can be waited for. Disposal stops it (SIGTERM, then SIGKILL after <see cref="ProcessHostOptions.StopTimeout"/>).
/// </summary>
public sealed class ProcessHost : IAsyncDisposable
{
    private const int TailLines = 50;
    private const int SigTerm = 15;

    // Output still in the pipes when the process ends is read for at most this long: a grandchild that inherited
    // the pipes may keep them open long after.
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<LineWaiter> _waiters = [];
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _streamsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Process _process;
    private readonly ProcessHostOptions _options;
    private readonly StreamWriter _log;
    private int _openStreams = 2;
    private int? _exitCode;
    private bool _logClosed;
    private bool _disposed;

    private ProcessHost(string name, ProcessStartInfo startInfo, ProcessHostOptions options)
    {
        Name = name;
        _options = options;
        var folder = TestNames.ToFileName(options.LogFolder ?? TestNames.Of(options.Output) ?? "unnamed-test");
        LogPath = Path.Combine(RepositoryPaths.Logs, folder, TestNames.ToFileName(name) + ".log");
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        // Appended: a test that restarts a process under the same name keeps both lives in one file.
        _log = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };

        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnData(e.Data, "out");
        _process.ErrorDataReceived += (_, e) => OnData(e.Data, "err");
        _process.Exited += (_, _) => _ = OnExitedAsync();
    }

    /// <summary>The name given at start: the log file's name and the prefix of its lines in the test output.</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>The log file of this process.</summary>
    public string LogPath { get; }

    /// <summary>Whether the process has ended (and its remaining output has been read).</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The exit code once the process has ended (128 + the signal when a signal ended it, e.g. 137 for SIGKILL).</summary>
    public int? ExitCode
    {
        get
        {
            lock (_gate)
                return _exitCode;
        }
    }

    /// <summary>A snapshot of every line so far, stdout and stderr interleaved as they arrived.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
                return [.. _lines];
        }
    }

    /// <summary>How many lines so far: pass it to <see cref="WaitForLineAsync(Func{string, bool}, TimeSpan, int, string?, CancellationToken)"/> to look only at later lines.</summary>
    public int LineCount
    {
        get
        {
            lock (_gate)
                return _lines.Count;
        }
    }

    /// <summary>Starts <c>dotnet &lt;assemblyPath&gt;</c>, in the assembly's folder unless told otherwise.</summary>
    public static ProcessHost StartDotnet(string name, string assemblyPath, ProcessHostOptions? options = null) =>
        Start(name, DotnetHost(), [assemblyPath], options, Path.GetDirectoryName(assemblyPath));

    /// <summary>Starts <c>/usr/bin/python3 -u &lt;scriptPath&gt;</c> (unbuffered output), in the script's folder unless told otherwise.</summary>
    public static ProcessHost StartPython(string name, string scriptPath, ProcessHostOptions? options = null) =>
        Start(name, RepositoryPaths.Python, ["-u", scriptPath], options, Path.GetDirectoryName(scriptPath));

    /// <summary>Starts any executable, e.g. <c>Start("sh", "/bin/sh", ["-c", "echo hello"])</c>.</summary>
    public static ProcessHost Start(string name, string fileName, IEnumerable<string> arguments, ProcessHostOptions? options = null) =>
        Start(name, fileName, arguments, options, defaultWorkingDirectory: null);

    /// <summary>
    /// The first line from index <paramref name="fromLine"/> on (lines already printed count) that matches. Completes
    /// as soon as such a line arrives; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>, or
    /// <see cref="InvalidOperationException"/> when the process ends first, either with the last 50 lines.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, int fromLine = 0, string? what = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        what ??= "a matching line";
        LineWaiter waiter;
        lock (_gate)
        {
            for (var i = fromLine; i < _lines.Count; i++)
            {
                if (predicate(_lines[i]))
                    return _lines[i];
            }

            if (_exitCode is { } code)
                throw new InvalidOperationException(Describe($"{Name} had exited with code {code} without printing {what}"));
            waiter = new LineWaiter(predicate, what);
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Line.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(Describe($"{Name} printed no {what} within {timeout.TotalSeconds:0.###} s"));
        }
        finally
        {
            lock (_gate)
                _waiters.Remove(waiter);
        }
    }

    /// <summary>The first line containing <paramref name="text"/> (ordinal); see the overload taking a predicate.</summary>
    public Task<string> WaitForLineAsync(string text, TimeSpan timeout, int fromLine = 0, CancellationToken cancellationToken = default) =>
        WaitForLineAsync(line => line.Contains(text, StringComparison.Ordinal), timeout, fromLine, $"line containing '{text}'", cancellationToken);

    /// <summary>Waits for the process to end by itself and returns its exit code; throws <see cref="TimeoutException"/> with the last lines.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _exited.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(Describe($"{Name} (pid {_process.Id}) did not exit within {timeout.TotalSeconds:0.###} s"));
        }
    }

    /// <summary>
    /// SIGKILL to the process and its descendants, as a crash or an OOM kill would end it: no shutdown code runs.
    /// Returns at once; <see cref="WaitForExitAsync"/> tells when it is gone.
    /// </summary>
    public void KillHard()
    {
        Note("SIGKILL (process tree)");
        try
        {
            // On Linux, Process.Kill sends SIGKILL.
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }

    /// <summary>
    /// SIGTERM, as <c>docker stop</c> or systemd would stop it; SIGKILL when it has not ended after
    /// <paramref name="timeout"/> (default <see cref="ProcessHostOptions.StopTimeout"/>). Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!HasExited)
        {
            Note("SIGTERM");
            if (Kill(_process.Id, SigTerm) != 0 && Marshal.GetLastPInvokeError() != 3 /* ESRCH: already gone */)
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill -TERM {_process.Id} failed");
            try
            {
                return await _exited.Task.WaitAsync(timeout ?? _options.StopTimeout);
            }
            catch (TimeoutException)
            {
                Note($"still running {(timeout ?? _options.StopTimeout).TotalSeconds:0.###} s after SIGTERM");
                KillHard();
            }
        }

        return await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops the process if it still runs (see <see cref="StopAsync"/>) and closes its log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            await StopAsync();
        }
        finally
        {
            lock (_gate)
            {
                _logClosed = true;
                _log.Dispose();
            }

            _process.Dispose();
        }
    }

    private static ProcessHost Start(string name, string fileName, IEnumerable<string> arguments, ProcessHostOptions? options, string? defaultWorkingDirectory)
    {
        options ??= new ProcessHostOptions();
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = options.WorkingDirectory ?? defaultWorkingDirectory ?? RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments.Concat(options.Arguments))
            startInfo.ArgumentList.Add(argument);
        foreach (var (key, value) in options.Environment)
        {
            if (value is null)
                startInfo.Environment.Remove(key);
            else
                startInfo.Environment[key] = value;
        }

        var host = new ProcessHost(name, startInfo, options);
        host.Note($"starting: {fileName} {string.Join(' ', startInfo.ArgumentList)} (in {startInfo.WorkingDirectory})"
            + string.Concat(options.Environment.Select(e => $"\n    {e.Key}={e.Value}")));
        try
        {
            host._process.Start();
        }
        catch (Win32Exception ex)
        {
            host._logClosed = true;
            host._log.Dispose();
            throw new InvalidOperationException($"{name}: cannot start {fileName}: {ex.Message}", ex);
        }

        // The child reads nothing; a closed stdin keeps one that does from waiting forever.
        host._process.StandardInput.Close();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        host.Note($"started, pid {host._process.Id}");
        return host;
    }

    // `dotnet test` tells its children which muxer runs them; the one on PATH otherwise.
    private static string DotnetHost() => System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";

    private void OnData(string? line, string stream)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
                _streamsClosed.TrySetResult();
            return;
        }

        List<(LineWaiter Waiter, Exception? Error)> done = [];
        lock (_gate)
        {
            _lines.Add(line);
            WriteLog($"{stream} {line}");
            foreach (var waiter in _waiters)
            {
                try
                {
                    if (waiter.Predicate(line))
                        done.Add((waiter, null));
                }
                catch (Exception ex)
                {
                    done.Add((waiter, ex));
                }
            }

            _waiters.RemoveAll(w => done.Exists(d => d.Waiter == w));
        }

        // Completed outside the lock: continuations are asynchronous anyway, this keeps the lock short.
        foreach (var (waiter, error) in done)
        {
            if (error is null)
                waiter.Line.TrySetResult(line);
            else
                waiter.Line.TrySetException(error);
        }

        WriteOutput($"[{Name}] {line}");
    }

    private async Task OnExitedAsync()
    {
        await Task.WhenAny(_streamsClosed.Task, Task.Delay(DrainAfterExit));
        int code;
        List<LineWaiter> waiters;
        lock (_gate)
        {
            code = _process.ExitCode;
            _exitCode = code;
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        Note($"exited with code {code}");
        foreach (var waiter in waiters)
            waiter.Line.TrySetException(new InvalidOperationException(Describe($"{Name} exited with code {code} without printing {waiter.What}")));
        _exited.TrySetResult(code);
    }

    private void Note(string text)
    {
        lock (_gate)
            WriteLog($"=== {text}");
        WriteOutput($"[{Name}] === {text}");
    }

    // Under _gate.
    private void WriteLog(string text)
    {
        if (!_logClosed)
            _log.WriteLine($"{Now()} {text}");
    }

    private void WriteOutput(string text)
    {
        try
        {
            _options.Output?.WriteLine($"{Now()} {text}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; xunit no longer takes output for it. The log file still has the line.
        }
    }

    private static string Now() => DateTimeOffset.Now.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);

    private string Describe(string problem)
    {
        string[] tail;
        lock (_gate)
            tail = [.. _lines.TakeLast(TailLines)];
        return $"{problem}. Last {tail.Length} lines (all in {LogPath}):\n" + string.Join('\n', tail.Select(l => "  | " + l));
    }

    // DllImport, not LibraryImport: the generated marshalling needs AllowUnsafeBlocks, and int in, int out needs none.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    // A class, not a record: waiters are told apart by identity.
    private sealed class LineWaiter(Func<string, bool> predicate, string what)
    {
        public Func<string, bool> Predicate { get; } = predicate;

        public string What { get; } = what;

        public TaskCompletionSource<string> Line { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

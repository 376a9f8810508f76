using System.Globalization;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>Memory and CPU time of processes and of the machine, read from /proc (Linux only).</summary>
public static class ProcStats
{
    // USER_HZ: 100 on every Linux .NET runs on.
    private const double MsPerTick = 10;

    /// <summary>Resident set size in bytes (VmRSS), or null when the process is gone.</summary>
    public static long? ResidentBytes(int pid) => StatusField(pid, "VmRSS:");

    /// <summary>Anonymous resident memory in bytes (RssAnon: heaps, not mapped files), or null when the process is gone.</summary>
    public static long? AnonymousResidentBytes(int pid) => StatusField(pid, "RssAnon:");

    /// <summary>Peak resident set size in bytes (VmHWM), or null when the process is gone.</summary>
    public static long? PeakResidentBytes(int pid) => StatusField(pid, "VmHWM:");

    /// <summary>User plus system CPU time of a process (its threads included), in milliseconds; 0 when it is gone.</summary>
    public static double CpuMs(int pid)
    {
        try
        {
            return CpuMsOfStat(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>CPU time of every process whose command name is one of <paramref name="names"/> (e.g. postgres, beam.smp).</summary>
    public static double CpuMsOfCommands(params string[] names)
    {
        double total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open)
                    continue;
                var command = stat[(open + 1)..close];
                if (names.Contains(command, StringComparer.Ordinal))
                    total += CpuMsOfStat(stat);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return total;
    }

    /// <summary>The machine's busy and total CPU time so far, in milliseconds summed over every core.</summary>
    public static (double BusyMs, double TotalMs) MachineCpu()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = values[3] + (values.Length > 4 ? values[4] : 0);
        var total = values.Take(8).Sum();
        return ((total - idle) * MsPerTick, total * MsPerTick);
    }

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static double CpuMsOfStat(string stat)
    {
        // Fields after the command (which may hold spaces and parentheses): state is field 3; utime, stime are 14, 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) * MsPerTick;
    }

    private static long? StatusField(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            if (line is null)
                return null;
            var kb = long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kb * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

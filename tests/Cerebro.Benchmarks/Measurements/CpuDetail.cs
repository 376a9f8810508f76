using System.Globalization;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>Collects CPU time per task run of each shape into one secondary table.</summary>
public static class CpuDetail
{
    private static readonly List<string[]> Rows =
    [
        ["shape", "Cerebro", "agent(s)", "PostgreSQL (all)", "RabbitMQ (all)", "machine busy", "of which others"],
    ];

    private static bool _added;

    public static void Add(ResultTable results, string shape, CpuUse cpu)
    {
        lock (Rows)
        {
            Rows.Add([shape, Ms(cpu.Server), Ms(cpu.Agents), Ms(cpu.Postgres), Ms(cpu.Rabbit),
                cpu.MachineBusy.ToString("P0", CultureInfo.InvariantCulture), cpu.Others.ToString("P0", CultureInfo.InvariantCulture)]);
            if (!_added)
            {
                results.Detail("CPU time per task run, ms (from /proc; PostgreSQL and RabbitMQ count every such process, other work on the machine included; 10 ms clock-tick resolution over the whole run):", Rows);
                _added = true;
            }
        }
    }

    private static string Ms(double value) => Figure.Format(value);
}

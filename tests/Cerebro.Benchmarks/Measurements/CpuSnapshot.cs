using System.Diagnostics;
using Cerebro.Benchmarks.Infrastructure;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>CPU time so far of Cerebro, the agents, PostgreSQL and RabbitMQ (every such process, others' included) and the machine.</summary>
public sealed record CpuSnapshot(long Ticks, double Server, double Agents, double Postgres, double Rabbit, double MachineBusy, double MachineTotal)
{
    public static CpuSnapshot Take(CerebroCluster cluster)
    {
        var (busy, total) = ProcStats.MachineCpu();
        return new CpuSnapshot(
            Stopwatch.GetTimestamp(),
            ProcStats.CpuMs(cluster.Server.Id),
            cluster.Agents.Sum(a => ProcStats.CpuMs(a.Process.Id)),
            ProcStats.CpuMsOfCommands("postgres"),
            ProcStats.CpuMsOfCommands("beam.smp", "erl_child_setup", "inet_gethost", "epmd"),
            busy,
            total);
    }

    /// <summary>CPU milliseconds per task run between two snapshots, and the share of the machine the rest of it used.</summary>
    public static CpuUse Between(CpuSnapshot before, CpuSnapshot after, int taskRuns)
    {
        var ours = (after.Server - before.Server) + (after.Agents - before.Agents) + (after.Postgres - before.Postgres) + (after.Rabbit - before.Rabbit);
        var machine = after.MachineBusy - before.MachineBusy;
        var capacity = after.MachineTotal - before.MachineTotal;
        return new CpuUse(
            (after.Server - before.Server) / taskRuns,
            (after.Agents - before.Agents) / taskRuns,
            (after.Postgres - before.Postgres) / taskRuns,
            (after.Rabbit - before.Rabbit) / taskRuns,
            capacity > 0 ? machine / capacity : 0,
            capacity > 0 ? Math.Max(0, machine - ours) / capacity : 0);
    }
}

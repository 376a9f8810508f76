namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// CPU milliseconds per task run by process group, the machine's busy share, and the share used by processes outside
/// the benchmark (other work on the machine that disturbed it). PostgreSQL and RabbitMQ count every such process.
/// </summary>
public sealed record CpuUse(double Server, double Agents, double Postgres, double Rabbit, double MachineBusy, double Others);

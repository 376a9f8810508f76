using System.Diagnostics;
using System.Text.Json;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;
using Npgsql;
using NpgsqlTypes;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// The same machine's physical limits, measured in the same run: a RabbitMQ request/reply over persistent, confirmed
/// messages (F1), that plus one PostgreSQL INSERT + COMMIT per hop (F2), F2 with 64 requests in flight (F3, the
/// throughput ceiling), and for a declaration the transfer of a server.ready of that size plus a binary COPY of its
/// task rows in one transaction (F4).
/// </summary>
public sealed class FloorMeasurements(BenchContext context)
{
    private const int Warmup = 100;
    private const int RoundTrips = 400;
    private const int InFlight = 64;
    private const int ThroughputRequests = 3000;

    private Figure _p50 = null!, _p99 = null!, _dbP50 = null!, _dbP99 = null!, _throughput = null!;
    private readonly Dictionary<int, Figure> _declare = [];

    public IEnumerable<Figure> Declare(ResultTable results)
    {
        _p50 = results.Declare("F1", "floor: RabbitMQ request/reply, persistent + confirmed, p50", "ms", Better.Lower);
        _p99 = results.Declare("F1'", "floor: RabbitMQ request/reply, persistent + confirmed, p99", "ms", Better.Lower);
        _dbP50 = results.Declare("F2", "floor: F1 + one PostgreSQL INSERT+COMMIT, p50", "ms", Better.Lower);
        _dbP99 = results.Declare("F2'", "floor: F1 + one PostgreSQL INSERT+COMMIT, p99", "ms", Better.Lower);
        _throughput = results.Declare("F3", $"floor: F2 with {InFlight} in flight (hops/s)", "/s", Better.Higher);
        foreach (var size in context.Options.DeclareSizes)
            _declare[size] = results.Declare($"F4-{size / 1000}k", $"floor: transfer a {size:N0}-task server.ready + COPY {size:N0} rows", "ms", Better.Lower);
        return [_p50, _p99, _dbP50, _dbP99, _throughput, .. _declare.Values];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var vhost = $"cerebro-bench-floor-{id}";
        var database = $"cerebro_bench_floor_{id}";
        await context.Management.CreateVirtualHostAsync(vhost, cancellationToken).ConfigureAwait(false);
        await PostgresServer.CreateDatabaseAsync(database, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var rig = await AmqpFloorRig.StartAsync(vhost, database, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < Warmup; i++)
                await rig.RoundTripAsync(cancellationToken).ConfigureAwait(false);

            for (var rep = 0; rep < context.Options.Reps; rep++)
            {
                rig.WithDatabase = false;
                var plain = await SequentialAsync(rig, cancellationToken).ConfigureAwait(false);
                _p50.Values.Add(Stats.Percentile(plain, 50));
                _p99.Values.Add(Stats.Percentile(plain, 99));

                rig.WithDatabase = true;
                var before = (Self: ProcStats.CpuMs(Environment.ProcessId), Postgres: ProcStats.CpuMsOfCommands("postgres"),
                    Rabbit: ProcStats.CpuMsOfCommands("beam.smp", "erl_child_setup", "inet_gethost", "epmd"), Machine: ProcStats.MachineCpu());
                var withDb = await SequentialAsync(rig, cancellationToken).ConfigureAwait(false);
                if (rep == 0)
                {
                    var machine = ProcStats.MachineCpu();
                    var capacity = machine.TotalMs - before.Machine.TotalMs;
                    var self = ProcStats.CpuMs(Environment.ProcessId) - before.Self;
                    var postgres = ProcStats.CpuMsOfCommands("postgres") - before.Postgres;
                    var rabbit = ProcStats.CpuMsOfCommands("beam.smp", "erl_child_setup", "inet_gethost", "epmd") - before.Rabbit;
                    var busy = (machine.BusyMs - before.Machine.BusyMs) / capacity;
                    CpuDetail.Add(context.Results, "floor F2, per hop (Cerebro column: the harness's requester and responder together)",
                        new CpuUse(self / RoundTrips, 0, postgres / RoundTrips, rabbit / RoundTrips, busy,
                            Math.Max(0, (machine.BusyMs - before.Machine.BusyMs) - self - postgres - rabbit) / capacity));
                }

                _dbP50.Values.Add(Stats.Percentile(withDb, 50));
                _dbP99.Values.Add(Stats.Percentile(withDb, 99));
                _throughput.Values.Add(await ThroughputAsync(rig, cancellationToken).ConfigureAwait(false));
                context.Log($"floors rep {rep + 1}: request/reply p50 {_p50.Values[^1]:0.00} ms, +db p50 {_dbP50.Values[^1]:0.00} ms, {_throughput.Values[^1]:0} hops/s");
            }

            context.Floors[FloorNames.RabbitP50] = _p50.Median;
            context.Floors[FloorNames.RabbitP99] = _p99.Median;
            context.Floors[FloorNames.RabbitDbP50] = _dbP50.Median;
            context.Floors[FloorNames.RabbitDbP99] = _dbP99.Median;
            context.Floors[FloorNames.Throughput] = _throughput.Median;

            foreach (var (size, figure) in _declare)
            {
                var body = ReadyBody(size);
                var transfers = new List<double>();
                var copies = new List<double>();
                for (var rep = 0; rep < context.Options.Reps; rep++)
                {
                    var transfer = Milliseconds(await rig.TransferAsync(body, cancellationToken).ConfigureAwait(false));
                    var copy = await CopyAsync(database, size, cancellationToken).ConfigureAwait(false);
                    figure.Values.Add(transfer + copy);
                    transfers.Add(transfer);
                    copies.Add(copy);
                    context.Log($"floor declare {size}: transfer {body.Length / 1024.0 / 1024:0.0} MiB {transfer:0} ms + COPY {copy:0} ms");
                }

                figure.Note = $"server.ready body {body.Length / 1024.0 / 1024:0.0} MiB; transfer = publish (confirmed) until consumed; COPY = binary COPY of {size:N0} task rows + index, one transaction";
                context.Floors[FloorNames.Declare(size)] = figure.Median;
                context.Floors[FloorNames.TransferPerByte(size)] = Stats.Median(transfers) / body.Length;
                context.Floors[FloorNames.Copy(size)] = Stats.Median(copies);
            }
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await PostgresServer.DropDatabaseAsync(database, cleanup.Token).ConfigureAwait(false);
            await context.Management.DeleteVirtualHostAsync(vhost, cleanup.Token).ConfigureAwait(false);
        }
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static async Task<List<double>> SequentialAsync(AmqpFloorRig rig, CancellationToken cancellationToken)
    {
        var samples = new List<double>(RoundTrips);
        for (var i = 0; i < RoundTrips; i++)
            samples.Add(Milliseconds(await rig.RoundTripAsync(cancellationToken).ConfigureAwait(false)));
        return samples;
    }

    private static async Task<double> ThroughputAsync(AmqpFloorRig rig, CancellationToken cancellationToken)
    {
        var remaining = ThroughputRequests;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
                await rig.RoundTripAsync(cancellationToken).ConfigureAwait(false);
        })).ConfigureAwait(false);
        return ThroughputRequests / clock.Elapsed.TotalSeconds;
    }

    /// <summary>A server.ready body as the SDK writes it, for the graph the benchmark agent declares.</summary>
    internal static byte[] ReadyBody(int size)
    {
        var shape = BenchShape.Parse($"graph:{size}");
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            agent = "bench-agent",
            instance = Guid.NewGuid(),
            version = "1.0.0",
            maxConcurrency = 64,
            tasks = shape.Tasks().Select(t => new
            {
                name = t.Name,
                owner = "bench",
                description = (string?)null,
                upstreams = t.Upstreams.Select(u => new { task = u, freshWithinSeconds = (double?)null }),
                cron = (string?)null,
                timeouts = (object?)null,
            }),
            sentAt = DateTimeOffset.UtcNow,
        });
    }

    /// <summary>COPYs <paramref name="size"/> task rows (the columns of Cerebro's tasks table) in one transaction; the milliseconds it took.</summary>
    private static async Task<double> CopyAsync(string database, int size, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(BenchSettings.PostgresOf(database));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var reset = new NpgsqlCommand("""
            DROP TABLE IF EXISTS floor_tasks;
            CREATE TABLE floor_tasks (name varchar(128) PRIMARY KEY, agent text NOT NULL, owner text NOT NULL, description text,
                upstreams_json text NOT NULL, cron text, status text NOT NULL, status_reason text, declared_at timestamptz NOT NULL);
            CREATE INDEX ON floor_tasks (agent);
            """, connection))
            await reset.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        var rows = BenchShape.Parse($"graph:{size}").Tasks()
            .Select(t => (t.Name, Upstreams: JsonSerializer.Serialize(t.Upstreams.Select(u => new { Task = u, FreshWithinSeconds = (double?)null }))))
            .ToList();
        var now = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY floor_tasks (name, agent, owner, upstreams_json, status, declared_at) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var (name, upstreams) in rows)
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(name, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync("bench-agent", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync("bench", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(upstreams, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync("runnable", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            }

            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return clock.Elapsed.TotalMilliseconds;
    }
}

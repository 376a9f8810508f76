namespace Cerebro.Benchmarks.Measurements;

/// <summary>The floors other figures compare with, by name in <see cref="BenchContext.Floors"/>.</summary>
public static class FloorNames
{
    public const string RabbitP50 = "rabbit-p50";
    public const string RabbitP99 = "rabbit-p99";
    public const string RabbitDbP50 = "rabbit-db-p50";
    public const string RabbitDbP99 = "rabbit-db-p99";
    public const string Throughput = "rabbit-db-throughput";

    public static string Declare(int tasks) => $"declare-{tasks}";

    /// <summary>The transfer part of <see cref="Declare"/>, per byte of server.ready, to scale to the size the SDK really sends.</summary>
    public static string TransferPerByte(int tasks) => $"declare-{tasks}-transfer-per-byte";

    public static string Copy(int tasks) => $"declare-{tasks}-copy";
}

using System.Net;
using Npgsql;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>
/// The one place connection details come from. Defaults match scripts/services.sh; each can be overridden by an
/// environment variable (the integration tests' <c>CEREBRO_TEST_*</c> names are honoured too). The benchmark only
/// ever talks to loopback: any other host is refused.
/// </summary>
public static class BenchSettings
{
    /// <summary>AMQP URI of the broker's default virtual host: <c>CEREBRO_BENCH_RABBITMQ</c>.</summary>
    public static Uri RabbitMq { get; } = Loopback(new Uri(Read("CEREBRO_BENCH_RABBITMQ", "CEREBRO_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/"));

    /// <summary>The management API, credentials in the user info: <c>CEREBRO_BENCH_RABBITMQ_MANAGEMENT</c>.</summary>
    public static Uri RabbitMqManagement { get; } = Loopback(new Uri(Read("CEREBRO_BENCH_RABBITMQ_MANAGEMENT", "CEREBRO_TEST_RABBITMQ_MANAGEMENT")
        ?? $"http://{RabbitMq.UserInfo}@{RabbitMq.Host}:15672"));

    /// <summary>Npgsql connection string of a superuser, without a database: <c>CEREBRO_BENCH_POSTGRES</c>.</summary>
    public static string Postgres { get; } = LoopbackPostgres(Read("CEREBRO_BENCH_POSTGRES", "CEREBRO_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=5432;Username=cerebro;Password=cerebro");

    /// <summary>The AMQP URI of a virtual host of the broker.</summary>
    public static Uri AmqpUriOf(string virtualHost)
    {
        var port = RabbitMq.IsDefaultPort ? "" : $":{RabbitMq.Port}";
        return new Uri($"{RabbitMq.Scheme}://{RabbitMq.UserInfo}@{RabbitMq.Host}{port}/{Uri.EscapeDataString(virtualHost)}");
    }

    /// <summary>The Npgsql connection string of a database of the server.</summary>
    public static string PostgresOf(string database) =>
        new NpgsqlConnectionStringBuilder(Postgres) { Database = database }.ConnectionString;

    private static string? Read(params string[] names) =>
        names.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    private static Uri Loopback(Uri uri) =>
        IsLoopback(uri.Host) ? uri : throw new InvalidOperationException($"{uri.Host} is not a loopback address: the benchmark only talks to 127.0.0.1");

    private static string LoopbackPostgres(string connectionString)
    {
        var host = new NpgsqlConnectionStringBuilder(connectionString).Host ?? "";
        return IsLoopback(host) ? connectionString : throw new InvalidOperationException($"{host} is not a loopback address: the benchmark only talks to 127.0.0.1");
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

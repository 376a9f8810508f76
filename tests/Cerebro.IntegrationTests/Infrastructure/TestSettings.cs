namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>
/// The one place integration tests take connection details from. Defaults match scripts/services.sh; each can be
/// overridden by an environment variable (scripts/test.sh passes them through).
/// </summary>
public static class TestSettings
{
    /// <summary>AMQP URI of the broker (its default virtual host): <c>CEREBRO_TEST_RABBITMQ</c>.</summary>
    public static Uri RabbitMq { get; } = new(Read("CEREBRO_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>
    /// Base URI of the RabbitMQ management HTTP API, credentials in the user info: <c>CEREBRO_TEST_RABBITMQ_MANAGEMENT</c>.
    /// Defaults to port 15672 on the broker's host with the broker's credentials (http://guest:guest@127.0.0.1:15672).
    /// </summary>
    public static Uri RabbitMqManagement { get; } = new(Read("CEREBRO_TEST_RABBITMQ_MANAGEMENT") ?? $"http://{UserInfo.Parse(RabbitMq).ToUriUserInfo()}@{RabbitMq.Host}:15672");

    /// <summary>
    /// Npgsql connection string of a superuser, without a database: <c>CEREBRO_TEST_POSTGRES</c>.
    /// <see cref="PostgresDatabase"/> adds a fresh database to it.
    /// </summary>
    public static string Postgres { get; } = Read("CEREBRO_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=cerebro;Password=cerebro";

    private static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

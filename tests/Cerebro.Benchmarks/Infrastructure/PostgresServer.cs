using Npgsql;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>Databases on the benchmark's PostgreSQL server: fresh ones per cluster, dropped afterwards even with connections open.</summary>
public static class PostgresServer
{
    public static Task CreateDatabaseAsync(string name, CancellationToken cancellationToken) =>
        ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"", cancellationToken);

    public static async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using (var pooled = new NpgsqlConnection(BenchSettings.PostgresOf(name)))
            NpgsqlConnection.ClearPool(pooled);
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One value from a query on a database (a fresh, unpooled connection: these are rare).</summary>
    public static async Task<T> ScalarAsync<T>(string database, string sql, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(BenchSettings.PostgresOf(database)) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteOnServerAsync(string sql, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(BenchSettings.Postgres) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

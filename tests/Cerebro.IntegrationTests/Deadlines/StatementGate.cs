using Cerebro.IntegrationTests.Infrastructure;
using Npgsql;

namespace Cerebro.IntegrationTests.Deadlines;

/// <summary>
/// Holds every UPDATE of a table at its start, inside the server, until <see cref="OpenAsync"/>: a statement-level
/// trigger waits for a shared advisory lock that the gate holds exclusively. Statements held there have taken their
/// snapshots and none has locked a row yet, so opening the gate sets them racing from the same instant, and
/// <see cref="WaitForHeldAsync"/> proves they were all in flight at once. Disposal opens the gate and drops the trigger.
/// </summary>
public sealed class StatementGate : IAsyncDisposable
{
    private const long LockKey = 0x0dead11e;

    private readonly NpgsqlConnection _connection;
    private readonly string _table;
    private bool _open;

    private StatementGate(NpgsqlConnection connection, string table)
    {
        _connection = connection;
        _table = table;
    }

    /// <summary>Closes the gate on UPDATEs of <paramref name="table"/>; takes the connection, which it disposes.</summary>
    public static async Task<StatementGate> CloseAsync(NpgsqlConnection connection, string table)
    {
        var gate = new StatementGate(connection, table);
        await gate.ExecuteAsync($"SELECT pg_advisory_lock({LockKey})");
        await gate.ExecuteAsync($"""
            CREATE FUNCTION statement_gate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock_shared({LockKey});
                RETURN NULL;
            END $$;
            CREATE TRIGGER statement_gate BEFORE UPDATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION statement_gate();
            """);
        return gate;
    }

    /// <summary>Completes once <paramref name="count"/> statements of this database wait at the gate together.</summary>
    public Task WaitForHeldAsync(int count, TimeSpan timeout) =>
        Poll.UntilAsync(HeldAsync, held => held == count, timeout, $"{count} statements held at the gate on {_table}");

    private async Task<long> HeldAsync()
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted " +
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", _connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Lets every held statement (and every later one) through.</summary>
    public async Task OpenAsync()
    {
        if (_open)
            return;
        _open = true;
        await ExecuteAsync($"SELECT pg_advisory_unlock({LockKey})");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await OpenAsync();
            await ExecuteAsync($"DROP TRIGGER statement_gate ON {_table}; DROP FUNCTION statement_gate();");
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        await command.ExecuteNonQueryAsync();
    }
}

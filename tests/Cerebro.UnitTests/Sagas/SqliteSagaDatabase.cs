using Cerebro.Tests.Shared.Sagas;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.UnitTests.Sagas;

/// <summary>A throw-away SQLite database file holding the counter schema.</summary>
public sealed class SqliteSagaDatabase : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cerebro-sagas-{Guid.NewGuid():N}.db");

    public SqliteSagaDatabase()
    {
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = _path }.ToString();
        using var db = CreateContext();
        db.Database.EnsureCreated();
    }

    public string ConnectionString { get; }

    public CounterDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<CounterDbContext>().UseSqlite(ConnectionString).Options);

    public void Dispose()
    {
        // Pooled connections keep the file open; close them so it can be deleted.
        using (var connection = new SqliteConnection(ConnectionString))
            SqliteConnection.ClearPool(connection);
        foreach (var file in new[] { _path, _path + "-journal", _path + "-wal", _path + "-shm" })
            File.Delete(file);
    }
}

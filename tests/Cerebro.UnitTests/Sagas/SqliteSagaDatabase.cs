using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.UnitTests.Sagas;

/// <summary>A throw-away SQLite database file holding the counter schema.</summary>
public sealed class SqliteSagaDatabase : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cerebro-sagas-{Guid.NewGuid():N}.db");

    public SqliteSagaDatabase()
    {
        // No pooling, so no connection outlives the test and the file can be deleted.
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString();
        using var db = CreateContext();
        db.Database.EnsureCreated();
    }

    public string ConnectionString { get; }

    public CounterDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<CounterDbContext>().UseSqlite(ConnectionString).Options);

    public void Dispose()
    {
        foreach (var file in new[] { _path, _path + "-journal", _path + "-wal", _path + "-shm" })
            File.Delete(file);
    }
}

using Cerebro.Server.Persistence;
using Cerebro.Tests.Shared.Declarations;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>The declaration's writes on the embedded SQLite store, one throw-away database file per test.</summary>
public sealed class SqliteDeclarationStoreTests : DeclarationStoreTests, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cerebro-declarations-{Guid.NewGuid():N}.db");
    private readonly string _connectionString;

    public SqliteDeclarationStoreTests()
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _path }.ToString();
        using var db = CreateContext();
        db.Database.EnsureCreated();
    }

    protected override CerebroDbContext CreateContext(IInterceptor? interceptor = null)
    {
        var options = new DbContextOptionsBuilder<CerebroDbContext>().UseSqlite(_connectionString);
        if (interceptor is not null)
            options.AddInterceptors(interceptor);
        return new CerebroDbContext(options.Options);
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; close them so it can be deleted.
        using (var connection = new SqliteConnection(_connectionString))
            SqliteConnection.ClearPool(connection);
        foreach (var file in new[] { _path, _path + "-journal", _path + "-wal", _path + "-shm" })
            File.Delete(file);
    }
}

using Cerebro.Server.Hosting;
using Cerebro.Server.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>A database created by another version of Cerebro's model is recognised at startup, not mid-run.</summary>
public sealed class SchemaFingerprintTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cerebro-schema-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
            File.Delete(file);
    }

    [Fact]
    public async Task FreshStore_IsCreatedWithItsFingerprint_AndKeptOnTheNextStart()
    {
        await using var services = Services();
        await Initializer(services).StartAsync(CancellationToken.None);
        var fingerprint = await FingerprintAsync(services);
        await AddScheduleAsync(services);

        await Initializer(services).StartAsync(CancellationToken.None);

        Assert.Equal(fingerprint, await FingerprintAsync(services));
        Assert.Equal(64, fingerprint.Length);
        Assert.Equal(1, await CountSchedulesAsync(services));
    }

    [Fact]
    public async Task StoreFromAnOlderModel_IsRecreated_WithEveryTableOfThisOne()
    {
        // What an older Cerebro left: its own tables, no fingerprint, and no cron_schedules table.
        await using (var connection = new SqliteConnection($"Data Source={_path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE task_runs (\"CorrelationId\" TEXT PRIMARY KEY, \"WaitingFor\" TEXT);";
            await command.ExecuteNonQueryAsync();
        }

        await using var services = Services();
        await Initializer(services).StartAsync(CancellationToken.None);

        Assert.Equal(64, (await FingerprintAsync(services)).Length);
        Assert.Equal(0, await CountSchedulesAsync(services));
        await AddScheduleAsync(services);
        Assert.Equal(1, await CountSchedulesAsync(services));
    }

    private ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<CerebroDbContext>(o => o.UseSqlite($"Data Source={_path}"));
        return services.BuildServiceProvider();
    }

    private static DatabaseInitializer Initializer(IServiceProvider services) =>
        new(services.GetRequiredService<IServiceScopeFactory>(), NullLogger<DatabaseInitializer>.Instance);

    private static async Task<string> FingerprintAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<CerebroDbContext>>().CreateDbContextAsync();
        return await db.SchemaInfo.Select(s => s.Fingerprint).SingleAsync();
    }

    private static async Task AddScheduleAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<CerebroDbContext>>().CreateDbContextAsync();
        db.CronSchedules.Add(new CronScheduleRecord { Task = "nightly", Cron = "0 2 * * *", NextFireAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    private static async Task<int> CountSchedulesAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<CerebroDbContext>>().CreateDbContextAsync();
        return await db.CronSchedules.CountAsync();
    }
}

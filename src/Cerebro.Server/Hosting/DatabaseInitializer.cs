using System.Security.Cryptography;
using System.Text;
using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Hosting;

/// <summary>
/// Creates the schema before the bus starts consuming, and checks that an existing database was created for this
/// model (<see cref="SchemaInfoRecord"/>): the embedded SQLite store is recreated when it is stale (it holds a demo's
/// runs, nothing to migrate); a stale PostgreSQL database stops Cerebro with the reason, before it touches anything.
/// On SQLite also turns on WAL so readers never block the sagas.
/// </summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
        var fingerprint = Fingerprint(db);
        await CreateAsync(db, fingerprint, cancellationToken).ConfigureAwait(false);

        var stored = await StoredFingerprintAsync(db, cancellationToken).ConfigureAwait(false);
        // Another instance that has just created the tables writes its fingerprint a moment later.
        for (var deadline = DateTime.UtcNow.AddSeconds(5); stored is null && !db.Database.IsSqlite() && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
            stored = await StoredFingerprintAsync(db, cancellationToken).ConfigureAwait(false);
        }

        if (stored != fingerprint)
        {
            var found = stored is null ? "a database without a schema fingerprint (an older Cerebro)" : $"schema {stored[..12]}";
            if (!db.Database.IsSqlite())
                throw new InvalidOperationException(
                    $"The database holds {found}, but this Cerebro needs schema {fingerprint[..12]}. Cerebro has no migrations yet: " +
                    "point it at a new database (ConnectionStrings__Cerebro), or drop this one if its runs are not needed.");
            logger.LogWarning("The SQLite store {Path} holds {Found}; recreating it for schema {Fingerprint}",
                db.Database.GetDbConnection().DataSource, found, fingerprint[..12]);
            await db.Database.EnsureDeletedAsync(cancellationToken).ConfigureAwait(false);
            await CreateAsync(db, fingerprint, cancellationToken).ConfigureAwait(false);
        }

        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Database ready ({Provider}, schema {Fingerprint})", db.Database.ProviderName, fingerprint[..12]);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CreateAsync(CerebroDbContext db, string fingerprint, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await db.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false))
                {
                    db.SchemaInfo.Add(new SchemaInfoRecord { Id = 1, Fingerprint = fingerprint, CreatedAt = DateTime.UtcNow });
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    db.ChangeTracker.Clear();
                }

                return;
            }
            catch (Exception ex) when (attempt < 5 && !cancellationToken.IsCancellationRequested)
            {
                // Another instance may be creating the same schema at this moment; its tables appear on the next try.
                db.ChangeTracker.Clear();
                logger.LogWarning(ex, "Creating the schema failed (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<string?> StoredFingerprintAsync(CerebroDbContext db, CancellationToken cancellationToken)
    {
        // No schema_info table: created by a Cerebro from before the fingerprint.
        var exists = db.Database.IsSqlite()
            ? "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'schema_info'"
            : "SELECT count(*)::int AS \"Value\" FROM pg_catalog.pg_class WHERE oid = to_regclass('schema_info')";
        if (await db.Database.SqlQueryRaw<int>(exists).SingleAsync(cancellationToken).ConfigureAwait(false) == 0)
            return null;
        return await db.SchemaInfo.AsNoTracking().Where(s => s.Id == 1).Select(s => s.Fingerprint)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Fingerprint(CerebroDbContext db) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(db.Database.GenerateCreateScript())));
}

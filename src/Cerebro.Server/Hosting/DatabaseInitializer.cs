using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Hosting;

/// <summary>Creates the schema before the bus starts consuming; on SQLite also turns on WAL so readers never block the sagas.</summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (attempt < 5 && !cancellationToken.IsCancellationRequested)
            {
                // Another instance may be creating the same schema at this moment; its tables appear on the next try.
                logger.LogWarning(ex, "Creating the schema failed (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }

        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Database ready ({Provider})", db.Database.ProviderName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using System.Linq.Expressions;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Persistence.Sagas;

/// <summary>The repository's reads, written once so every path loads saga state the same way on every provider.</summary>
internal static class SagaQueries
{
    /// <summary>
    /// Loads the current row, tracked, ready for an update. A copy left tracked by an earlier attempt in the same
    /// scope is dropped first: a tracking query would otherwise hand back that stale copy instead of the row.
    /// On PostgreSQL the row is also locked (<c>FOR UPDATE</c>) in the message's transaction, which the repository
    /// commits after the save: a second message for the same instance waits for that commit and then reads what it
    /// wrote, instead of reading the row as it was and losing the race at its own save (a retry, after a backoff). That
    /// matters most right after an invoke, which leaves before its transaction commits and whose agent may answer
    /// within a millisecond. The version check stays, for SQLite and for anything written outside a saga.
    /// </summary>
    public static async Task<TSaga?> LoadTrackedAsync<TSaga>(DbContext dbContext, Guid correlationId, CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        ForgetTracked<TSaga>(dbContext, saga => saga.CorrelationId == correlationId);

        if (!dbContext.Database.IsNpgsql())
        {
            return await dbContext.Set<TSaga>()
                .AsTracking()
                .SingleOrDefaultAsync(ById<TSaga>(correlationId), cancellationToken).ConfigureAwait(false);
        }

        await SagaTransaction.BeginAsync(dbContext, cancellationToken).ConfigureAwait(false);
        var rows = await dbContext.Set<TSaga>()
            .FromSqlRaw(LockingSelect<TSaga>.Sql(dbContext), correlationId)
            .AsTracking()
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.SingleOrDefault();
    }

    /// <summary>Loads every row the query matches, tracked, ready for updates.</summary>
    public static Task<List<TSaga>> QueryTrackedAsync<TSaga>(DbContext dbContext, ISagaQuery<TSaga> query,
        CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        ForgetTracked<TSaga>(dbContext, _ => true);

        return dbContext.Set<TSaga>()
            .AsTracking()
            .Where(query.FilterExpression)
            .ToListAsync(cancellationToken);
    }

    public static Task<TSaga?> LoadUntrackedAsync<TSaga>(DbContext dbContext, Guid correlationId, CancellationToken cancellationToken)
        where TSaga : class, ISaga =>
        dbContext.Set<TSaga>()
            .AsNoTracking()
            .SingleOrDefaultAsync(ById<TSaga>(correlationId), cancellationToken);

    public static Task<List<Guid>> QueryIdsAsync<TSaga>(DbContext dbContext, ISagaQuery<TSaga> query, CancellationToken cancellationToken)
        where TSaga : class, ISaga =>
        dbContext.Set<TSaga>()
            .AsNoTracking()
            .Where(query.FilterExpression)
            .Select(saga => saga.CorrelationId)
            .ToListAsync(cancellationToken);

    public static Task<bool> ExistsAsync<TSaga>(DbContext dbContext, Guid correlationId, CancellationToken cancellationToken)
        where TSaga : class, ISaga =>
        dbContext.Set<TSaga>()
            .AsNoTracking()
            .AnyAsync(ById<TSaga>(correlationId), cancellationToken);

    private static Expression<Func<TSaga, bool>> ById<TSaga>(Guid correlationId)
        where TSaga : class, ISaga =>
        saga => saga.CorrelationId == correlationId;

    private static void ForgetTracked<TSaga>(DbContext dbContext, Func<TSaga, bool> predicate)
        where TSaga : class, ISaga
    {
        foreach (var entry in dbContext.ChangeTracker.Entries<TSaga>().Where(e => e.State != EntityState.Added && predicate(e.Entity)).ToList())
            entry.State = EntityState.Detached;
    }

    /// <summary>The row-locking load of one saga type; built once, from the model's table name.</summary>
    private static class LockingSelect<TSaga>
        where TSaga : class, ISaga
    {
        private static string? _sql;

        public static string Sql(DbContext dbContext) => _sql ??=
            $"SELECT * FROM \"{dbContext.Model.FindEntityType(typeof(TSaga))!.GetTableName()}\" WHERE \"{nameof(ISaga.CorrelationId)}\" = {{0}} FOR UPDATE";
    }
}

using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// Lets a saga's behaviour write other rows in the same transaction as its own state (set-based updates the saga
/// repository's single SaveChanges cannot express), and act only once that transaction is committed. On PostgreSQL the
/// repository opens it as it loads the saga (to lock the row); elsewhere a behaviour that needs it calls
/// <see cref="BeginAsync"/>. The repository commits after the saga is saved and rolls back if anything failed, so a
/// retried message finds nothing half done.
/// </summary>
public static class SagaTransaction
{
    private static readonly ConditionalWeakTable<DbContext, List<Func<Task>>> AfterCommitActions = new();

    /// <summary>Opens a transaction on the saga's context, unless one is open already.</summary>
    public static async Task BeginAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
            await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="action"/> once the saga's changes are committed; never if they are not.</summary>
    public static void AfterCommit(DbContext db, Func<Task> action) =>
        AfterCommitActions.GetOrCreateValue(db).Add(action);

    /// <summary>Called by the repository when the message's pipe has finished: commit, then the after-commit actions.</summary>
    internal static async Task CompleteAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is { } transaction)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            await transaction.DisposeAsync().ConfigureAwait(false);
        }

        if (!AfterCommitActions.TryGetValue(db, out var actions) || actions.Count == 0)
            return;
        var pending = actions.ToList();
        actions.Clear();
        foreach (var action in pending)
            await action().ConfigureAwait(false);
    }

    /// <summary>Called by the repository when the pipe failed (or before it starts): nothing of it stays.</summary>
    internal static async Task AbandonAsync(DbContext db)
    {
        if (AfterCommitActions.TryGetValue(db, out var actions))
            actions.Clear();
        if (db.Database.CurrentTransaction is { } transaction)
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
    }
}

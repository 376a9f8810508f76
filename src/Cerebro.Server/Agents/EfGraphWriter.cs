using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Agents;

/// <summary>
/// Writes a declaration's changes through EF Core, for the embedded SQLite store (demos and tests, small graphs):
/// removals and the declaration time of unchanged tasks set-based, changed rows through the change tracker without
/// loading them. The caller's SaveChanges writes the tracked rows, inside the declaration's transaction.
/// </summary>
internal static class EfGraphWriter
{
    public static async Task WriteAsync(CerebroDbContext db, GraphChanges changes, string agent, DateTime now,
        IReadOnlyList<TaskRefusalRecord> refusals, CancellationToken cancellationToken)
    {
        if (changes.Removed.Count > 0)
        {
            var removed = changes.Removed;
            await db.Tasks.Where(t => removed.Contains(t.Name)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (changes.Unchanged > 0)
        {
            await db.Tasks.Where(t => t.Agent == agent && t.DeclaredAt != now)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.DeclaredAt, now), cancellationToken).ConfigureAwait(false);
        }

        db.Tasks.AddRange(changes.Added.Select(s => TaskDefinitions.ToRecord(s, now)));
        db.Tasks.UpdateRange(changes.Redeclared.Select(s => TaskDefinitions.ToRecord(s, now)));
        foreach (var state in changes.StatusChanged)
        {
            // A stub attached as stored, so that only the two status columns are written.
            var entry = db.Tasks.Attach(new TaskRecord { Name = state.Definition.Name });
            entry.Entity.Status = TaskDefinitions.StatusName(state.Status);
            entry.Entity.StatusReason = state.Reason;
            entry.Property(t => t.Status).IsModified = true;
            entry.Property(t => t.StatusReason).IsModified = true;
        }

        await db.TaskRefusals.Where(r => r.Agent == agent).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        db.TaskRefusals.AddRange(refusals);
    }
}

using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// Runs an action once the saga's DbContext has saved, so spans and measurements about a state change are emitted
/// only when the change is stored: a save that loses an optimistic-concurrency race emits nothing, and its retry (a
/// new scope, so a new DbContext) emits once.
/// </summary>
internal static class AfterSave
{
    public static void Run(DbContext db, Action action)
    {
        EventHandler<SavedChangesEventArgs>? saved = null;
        EventHandler<SaveChangesFailedEventArgs>? failed = null;
        saved = (_, _) =>
        {
            Unsubscribe();
            action();
        };
        failed = (_, _) => Unsubscribe();
        db.SavedChanges += saved;
        db.SaveChangesFailed += failed;

        void Unsubscribe()
        {
            db.SavedChanges -= saved;
            db.SaveChangesFailed -= failed;
        }
    }
}

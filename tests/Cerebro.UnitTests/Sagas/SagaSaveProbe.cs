using Cerebro.Tests.Shared.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cerebro.UnitTests.Sagas;

/// <summary>
/// Watches the repository's SaveChanges: counts concurrency conflicts, and can let a rival writer act once, right
/// before the next save of a counter in a given state, to stage a race deterministically.
/// </summary>
public sealed class SagaSaveProbe : SaveChangesInterceptor
{
    private int _conflicts;
    private Interference? _armed;

    public int Conflicts => Volatile.Read(ref _conflicts);

    /// <summary>Runs <paramref name="rival"/> once, just before the first save that has a counter in <paramref name="state"/>.</summary>
    public void InterfereOnce(EntityState state, Func<CounterState, Task> rival) => _armed = new Interference(state, rival);

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        var armed = _armed;
        var target = armed is null
            ? null
            : eventData.Context?.ChangeTracker.Entries<CounterState>().FirstOrDefault(e => e.State == armed.State)?.Entity;
        if (armed is not null && target is not null && Interlocked.CompareExchange(ref _armed, null, armed) == armed)
            await armed.Rival(target).ConfigureAwait(false);

        return result;
    }

    public override ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _conflicts);
        return ValueTask.FromResult(result);
    }

    private sealed record Interference(EntityState State, Func<CounterState, Task> Rival);
}

using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cerebro.IntegrationTests.Sagas;

/// <summary>Counts the optimistic-concurrency conflicts EF detects, to prove the writers really raced.</summary>
public sealed class ConflictCounter : SaveChangesInterceptor
{
    private int _conflicts;

    public int Conflicts => Volatile.Read(ref _conflicts);

    public override ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _conflicts);
        return ValueTask.FromResult(result);
    }
}

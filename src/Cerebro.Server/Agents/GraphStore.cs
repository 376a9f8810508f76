using Cerebro.Domain;
using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Agents;

/// <summary>
/// The task graph, cached in memory. Every accepted declaration bumps a version row, so an instance rebuilds its
/// cache only when some instance changed the graph; planning a run costs one tiny query, not a graph load.
/// </summary>
public sealed class GraphStore
{
    private readonly SemaphoreSlim _reload = new(1, 1);

    /// <summary>Serializes declarations within this process; across processes a database lock does.</summary>
    public SemaphoreSlim DeclarationGate { get; } = new(1, 1);

    // One reference, swapped whole: a declaration writes from the cached graph, so a version must never be read
    // together with another version's graph (a tuple field could tear between a reload and a Set).
    private volatile Snapshot _cached = new(-1, TaskGraph.Empty);

    public async Task<TaskGraph> GetAsync(CerebroDbContext db, CancellationToken cancellationToken) =>
        (await GetWithVersionAsync(db, cancellationToken).ConfigureAwait(false)).Graph;

    /// <summary>
    /// The stored graph and its version; from the cache unless another instance changed it since.
    /// A declaration calls this under its lock, inside its transaction, so what it gets is what it replaces.
    /// </summary>
    public async Task<(long Version, TaskGraph Graph)> GetWithVersionAsync(CerebroDbContext db, CancellationToken cancellationToken)
    {
        var version = await CurrentVersionAsync(db, cancellationToken).ConfigureAwait(false);
        var cached = _cached;
        if (cached.Version == version)
            return (cached.Version, cached.Graph);

        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cached = _cached;
            if (cached.Version == version)
                return (cached.Version, cached.Graph);
            var records = await db.Tasks.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            var graph = TaskGraph.From(records.Select(TaskDefinitions.FromRecord));
            _cached = new Snapshot(version, graph);
            return (version, graph);
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>
    /// Installs the graph a declaration just committed, so this instance need not reload it. Only after the commit: a
    /// graph whose transaction rolled back must never be served.
    /// </summary>
    public void Set(long version, TaskGraph graph)
    {
        if (version > _cached.Version)
            _cached = new Snapshot(version, graph);
    }

    public static async Task<long> CurrentVersionAsync(CerebroDbContext db, CancellationToken cancellationToken) =>
        await db.GraphVersions.AsNoTracking().Where(v => v.Id == 1).Select(v => (long?)v.Version)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? 0;

    private sealed record Snapshot(long Version, TaskGraph Graph);
}

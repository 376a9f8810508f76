using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// Reads saga state outside message handling (<see cref="ILoadSagaRepository{TSaga}"/> and
/// <see cref="IQuerySagaRepository{TSaga}"/>, e.g. for the HTTP API or the test harness). Untracked: nothing here writes.
/// </summary>
internal sealed class EfCoreSagaReadContext<TSaga> :
    BasePipeContext,
    LoadSagaRepositoryContext<TSaga>,
    QuerySagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    private readonly DbContext _dbContext;

    public EfCoreSagaReadContext(DbContext dbContext, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _dbContext = dbContext;
    }

    // MassTransit's contract is annotated non-null, but SagaRepository.Load hands "not found" on as null all the same.
    public Task<TSaga> Load(Guid correlationId) =>
        SagaQueries.LoadUntrackedAsync<TSaga>(_dbContext, correlationId, CancellationToken)!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var ids = await SagaQueries.QueryIdsAsync(_dbContext, query, cancellationToken).ConfigureAwait(false);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}

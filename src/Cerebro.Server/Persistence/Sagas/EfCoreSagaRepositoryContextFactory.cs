using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// Resolved per message from the consume context's service scope (MassTransit's dependency-injection saga repository
/// creates that scope), so <typeparamref name="TDbContext"/> is the scope's own context: one DbContext per delivery
/// attempt, shared with anything else the saga's behaviour resolves from the same scope.
/// </summary>
internal sealed class EfCoreSagaRepositoryContextFactory<TSaga, TDbContext> :
    ISagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
    where TDbContext : DbContext
{
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _consumeContextFactory;
    private readonly TDbContext _dbContext;
    private readonly TimeProvider _timeProvider;

    public EfCoreSagaRepositoryContextFactory(TDbContext dbContext, ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory,
        TimeProvider? timeProvider = null)
    {
        _dbContext = dbContext;
        _consumeContextFactory = consumeContextFactory;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "entity-framework-core");
        context.Add("dbContext", typeof(TDbContext).Name);
        context.Add("concurrency", "optimistic");
    }

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        SagaVersioning.EnsureMapped<TSaga>(_dbContext);
        await SagaTransaction.AbandonAsync(_dbContext).ConfigureAwait(false);

        using var repositoryContext = new EfCoreSagaRepositoryContext<TSaga, T>(_dbContext, context, _consumeContextFactory, _timeProvider);
        try
        {
            await next.Send(repositoryContext).ConfigureAwait(false);
        }
        catch
        {
            await SagaTransaction.AbandonAsync(_dbContext).ConfigureAwait(false);
            throw;
        }

        await SagaTransaction.CompleteAsync(_dbContext, context.CancellationToken).ConfigureAwait(false);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        SagaVersioning.EnsureMapped<TSaga>(_dbContext);

        var instances = await SagaQueries.QueryTrackedAsync(_dbContext, query, context.CancellationToken).ConfigureAwait(false);

        using var repositoryContext = new EfCoreSagaRepositoryContext<TSaga, T>(_dbContext, context, _consumeContextFactory, _timeProvider);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances)).ConfigureAwait(false);
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new EfCoreSagaReadContext<TSaga>(_dbContext, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new EfCoreSagaReadContext<TSaga>(_dbContext, cancellationToken));
}

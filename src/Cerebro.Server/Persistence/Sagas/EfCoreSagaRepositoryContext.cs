using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// One message's view of the saga table: loads the instance tracked, and writes it back with a single SaveChanges whose
/// WHERE clause carries the loaded version. Conflicts surface as <see cref="ConcurrencyException"/>, after a short
/// jittered wait (<see cref="SagaConflictBackoff"/>), so the endpoint's retry policy runs the message again on fresh state.
/// </summary>
internal sealed class EfCoreSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>,
    IDisposable
    where TSaga : class, ISaga
    where TMessage : class
{
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly DbContext _dbContext;
    private readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    private readonly TimeProvider _timeProvider;

    // A query may hand several instances to the pipe; a DbContext must never run two SaveChanges at once.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public EfCoreSagaRepositoryContext(DbContext dbContext, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<DbContext, TSaga> factory, TimeProvider timeProvider)
        : base(consumeContext, dbContext)
    {
        _dbContext = dbContext;
        _consumeContext = consumeContext;
        _factory = factory;
        _timeProvider = timeProvider;
    }

    public void Dispose() => _writeGate.Dispose();

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Add);

    /// <summary>
    /// The pre-insert path (an event correlated with InsertOnInitial): write the new instance before the behaviour runs.
    /// Returning null tells MassTransit the row exists already, so it loads that one instead.
    /// </summary>
    public async Task<SagaConsumeContext<TSaga, TMessage>?> Insert(TSaga instance)
    {
        await _writeGate.WaitAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            var entry = _dbContext.Set<TSaga>().Add(instance);
            SagaVersioning.Initialize(entry);
            try
            {
                await _dbContext.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                entry.State = EntityState.Detached;
                return null;
            }
        }
        finally
        {
            _writeGate.Release();
        }

        return await _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Insert)
            .ConfigureAwait(false);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Load(Guid correlationId)
    {
        var instance = await SagaQueries.LoadTrackedAsync<TSaga>(_dbContext, correlationId, CancellationToken).ConfigureAwait(false);
        if (instance is null)
            return null;

        return await _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Load)
            .ConfigureAwait(false);
    }

    /// <summary>Inserts an instance the behaviour created (the missing-instance path).</summary>
    public Task Save(SagaConsumeContext<TSaga> context) =>
        WriteAsync(context.Saga, inserting: true, saga => SagaVersioning.Initialize(_dbContext.Set<TSaga>().Add(saga)));

    public Task Update(SagaConsumeContext<TSaga> context) =>
        WriteAsync(context.Saga, inserting: false, saga => SagaVersioning.Increment(_dbContext.Entry(saga)));

    /// <summary>Removes a finalized instance; the version still guards the DELETE, so a concurrent update wins and this message reruns.</summary>
    public Task Delete(SagaConsumeContext<TSaga> context) =>
        WriteAsync(context.Saga, inserting: false, saga => _dbContext.Set<TSaga>().Remove(saga));

    /// <summary>A new instance that is not kept (completed at once, or its behaviour failed): forget it.</summary>
    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        Forget(context.Saga);
        return Task.CompletedTask;
    }

    /// <summary>A read-only policy ran: drop whatever the behaviour changed in memory.</summary>
    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        var entry = _dbContext.Entry(context.Saga);
        if (entry.State is EntityState.Modified or EntityState.Deleted)
        {
            entry.CurrentValues.SetValues(entry.OriginalValues);
            entry.State = EntityState.Unchanged;
        }

        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance,
        SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_dbContext, consumeContext, instance, mode);

    private async Task WriteAsync(TSaga saga, bool inserting, Action<TSaga> stage)
    {
        Exception? conflict;
        await _writeGate.WaitAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            conflict = await TryWriteAsync(saga, inserting, stage).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }

        if (conflict is null)
            return;

        await Task.Delay(SagaConflictBackoff.Next(_consumeContext.GetRetryAttempt()), _timeProvider, CancellationToken).ConfigureAwait(false);
        throw new ConcurrencyException(
            inserting
                ? $"{typeof(TSaga).Name} {saga.CorrelationId} was inserted by another writer at the same time."
                : $"{typeof(TSaga).Name} {saga.CorrelationId} was changed or removed by another writer since it was loaded.",
            typeof(TSaga), saga.CorrelationId, conflict);
    }

    /// <summary>Saves; returns EF's exception when the write lost a race, throws anything else.</summary>
    private async Task<Exception?> TryWriteAsync(TSaga saga, bool inserting, Action<TSaga> stage)
    {
        try
        {
            stage(saga);
            await _dbContext.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (DbUpdateConcurrencyException ex)
        {
            Forget(saga);
            return ex;
        }
        catch (DbUpdateException ex) when (inserting)
        {
            Forget(saga);
            // A failed statement aborts its PostgreSQL transaction (the one the load opened): end it before asking
            // whether the row exists. The message runs again either way, so nothing of that transaction is wanted.
            await SagaTransaction.AbandonAsync(_dbContext).ConfigureAwait(false);
            if (await SagaQueries.ExistsAsync<TSaga>(_dbContext, saga.CorrelationId, CancellationToken).ConfigureAwait(false))
                return ex;
            throw;
        }
        catch
        {
            Forget(saga);
            throw;
        }
    }

    // The instance is stale after a failed write; a DbContext shared with a retry must not hand it out again.
    private void Forget(TSaga saga)
    {
        var entry = _dbContext.Entry(saga);
        if (entry.State != EntityState.Detached)
            entry.State = EntityState.Detached;
    }
}

using System.Reflection;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// Registers Cerebro's EF Core saga repository (MassTransit.EntityFrameworkCore is not available to us) with optimistic
/// concurrency on an integer <c>Version</c> column. Works on any relational EF Core provider (PostgreSQL, SQLite).
/// </summary>
/// <remarks>
/// <para>Usage: <c>services.AddMassTransit(x =&gt; x.AddSagaStateMachine&lt;TaskRunStateMachine, TaskRunState&gt;().EfCoreRepository&lt;CerebroDbContext&gt;())</c>.
/// <typeparamref name="TDbContext"/> must be resolvable from a service scope (<c>AddDbContext</c>, <c>AddDbContextPool</c>, or
/// <c>AddDbContextFactory</c>, which registers the context as scoped too); the repository takes it from each message's scope,
/// so whatever the behaviour adds to that same context is saved in the same SaveChanges.</para>
/// <para>The saga's EF mapping must use <c>CorrelationId</c> as its key and map an <see cref="int"/> <c>Version</c> as a
/// concurrency token (<see cref="SagaEntityTypeBuilderExtensions.ConfigureSagaKey{TSaga}"/>,
/// <see cref="SagaEntityTypeBuilderExtensions.ConfigureSagaVersion{TSaga}"/>, or the equivalent <c>HasKey</c>/<c>IsConcurrencyToken</c>
/// calls); otherwise the first message fails with a <see cref="ConfigurationException"/>.</para>
/// <para>Per message: the instance is loaded (tracked) by CorrelationId or by the event's query, the behaviour runs, and
/// one SaveChanges inserts it (Version = 1), updates it (Version + 1), or deletes it when the machine finalized and
/// <c>SetCompletedWhenFinalized</c> is on. A write that lost a race (an update or delete of a row changed since it was
/// loaded, or an insert of a CorrelationId another consumer inserted meanwhile) writes nothing and throws
/// <see cref="ConcurrencyException"/>, whose inner exception is EF's <see cref="DbUpdateConcurrencyException"/> or
/// <see cref="DbUpdateException"/>, after a short random wait that grows with the retry attempt.</para>
/// <para>The saga endpoint must therefore retry, with a budget of a few times its concurrent message limit (sixteen
/// writers on one row needed up to about 20 attempts in tests), and use the in-memory outbox so that what a losing
/// attempt sent or published is dropped with it:
/// <c>e.UseMessageRetry(r =&gt; { r.Handle&lt;ConcurrencyException&gt;(); r.Immediate(50); }); e.UseInMemoryOutbox(context);</c></para>
/// </remarks>
public static class EfCoreSagaRepositoryRegistrationExtensions
{
    private static readonly MethodInfo TypedRegistration = typeof(EfCoreSagaRepositoryRegistrationExtensions)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(method => method.Name == nameof(EfCoreRepository) && method.GetGenericArguments().Length == 2);

    /// <summary>
    /// Persists this saga with <typeparamref name="TDbContext"/>, the saga type being taken from the registration
    /// (<c>x.AddSagaStateMachine&lt;M, S&gt;().EfCoreRepository&lt;TDbContext&gt;()</c>). Same as
    /// <see cref="EfCoreRepository{TSaga, TDbContext}(ISagaRegistrationConfigurator{TSaga})"/>.
    /// </summary>
    /// <typeparam name="TDbContext">The application's DbContext that maps the saga; registered in the container by the application.</typeparam>
    /// <param name="configurator">The saga registration returned by <c>AddSagaStateMachine</c> or <c>AddSaga</c>.</param>
    /// <returns>The same registration, for chaining.</returns>
    /// <exception cref="ArgumentException">The registration is not an <see cref="ISagaRegistrationConfigurator{TSaga}"/>.</exception>
    public static ISagaRegistrationConfigurator EfCoreRepository<TDbContext>(this ISagaRegistrationConfigurator configurator)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);

        // C# cannot infer TSaga from the receiver while TDbContext is given explicitly, so it is read from the registration.
        var sagaType = configurator.GetType().GetInterfaces()
            .Where(type => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ISagaRegistrationConfigurator<>))
            .Select(type => type.GetGenericArguments()[0])
            .SingleOrDefault()
            ?? throw new ArgumentException(
                $"Expected a saga registration ({typeof(ISagaRegistrationConfigurator<>).Name}), got {configurator.GetType().Name}.",
                nameof(configurator));

        TypedRegistration.MakeGenericMethod(sagaType, typeof(TDbContext))
            .Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [configurator], culture: null);
        return configurator;
    }

    /// <summary>Persists <typeparamref name="TSaga"/> with <typeparamref name="TDbContext"/>; see the class remarks.</summary>
    /// <typeparam name="TSaga">The saga state type, mapped in <typeparamref name="TDbContext"/>.</typeparam>
    /// <typeparam name="TDbContext">The application's DbContext that maps the saga; registered in the container by the application.</typeparam>
    /// <param name="configurator">The saga registration returned by <c>AddSagaStateMachine</c> or <c>AddSaga</c>.</param>
    /// <returns>The same registration, for chaining.</returns>
    public static ISagaRegistrationConfigurator<TSaga> EfCoreRepository<TSaga, TDbContext>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);

        return configurator.Repository(services =>
        {
            services.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>,
                EfCoreSagaRepositoryContextFactory<TSaga, TDbContext>>();
            services.RegisterLoadSagaRepository<TSaga, EfCoreSagaRepositoryContextFactory<TSaga, TDbContext>>();
            services.RegisterQuerySagaRepository<TSaga, EfCoreSagaRepositoryContextFactory<TSaga, TDbContext>>();
        });
    }
}

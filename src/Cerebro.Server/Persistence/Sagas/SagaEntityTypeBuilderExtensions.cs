using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// Mapping helpers for saga state persisted by the EF Core saga repository
/// (<see cref="EfCoreSagaRepositoryRegistrationExtensions"/>).
/// </summary>
/// <example>
/// <code>
/// internal sealed class TaskRunStateMap : IEntityTypeConfiguration&lt;TaskRunState&gt;
/// {
///     public void Configure(EntityTypeBuilder&lt;TaskRunState&gt; entity)
///     {
///         entity.ToTable("task_runs");
///         entity.ConfigureSagaKey();
///         entity.ConfigureSagaVersion();
///     }
/// }
/// </code>
/// </example>
public static class SagaEntityTypeBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="ISaga.CorrelationId"/> as the primary key, with values supplied by the application (never generated).
    /// The repository requires this key: a unique CorrelationId is what turns a concurrent second insert into a conflict.
    /// Equivalent to <c>HasKey(x =&gt; x.CorrelationId)</c> plus <c>Property(x =&gt; x.CorrelationId).ValueGeneratedNever()</c>.
    /// </summary>
    /// <typeparam name="TSaga">The saga state type.</typeparam>
    /// <param name="entity">The saga's entity builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static EntityTypeBuilder<TSaga> ConfigureSagaKey<TSaga>(this EntityTypeBuilder<TSaga> entity)
        where TSaga : class, ISaga
    {
        ArgumentNullException.ThrowIfNull(entity);

        entity.HasKey(nameof(ISaga.CorrelationId));
        entity.Property<Guid>(nameof(ISaga.CorrelationId)).ValueGeneratedNever();
        return entity;
    }

    /// <summary>
    /// Opts the saga into optimistic concurrency: maps its <see cref="int"/> <c>Version</c> property as a concurrency token.
    /// The repository sets it to 1 on insert and increments it on every update; EF adds the loaded value to the UPDATE's
    /// and DELETE's WHERE clause, so a write based on stale state affects no row and raises a conflict that the endpoint's
    /// retry policy resolves by reprocessing the message with fresh state.
    /// Equivalent to <c>Property(x =&gt; x.Version).IsConcurrencyToken()</c>. If the class has no <c>Version</c> property a
    /// shadow property is mapped instead (it still works, but the version is then invisible to code).
    /// </summary>
    /// <typeparam name="TSaga">The saga state type.</typeparam>
    /// <param name="entity">The saga's entity builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static EntityTypeBuilder<TSaga> ConfigureSagaVersion<TSaga>(this EntityTypeBuilder<TSaga> entity)
        where TSaga : class, ISaga
    {
        ArgumentNullException.ThrowIfNull(entity);

        entity.Property<int>(SagaVersioning.PropertyName).IsConcurrencyToken();
        return entity;
    }
}

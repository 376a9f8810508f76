using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// The optimistic-concurrency contract between a saga's EF mapping and the repository: an <see cref="int"/>
/// property named <c>Version</c>, mapped as a concurrency token, that the repository stamps on every write.
/// </summary>
internal static class SagaVersioning
{
    public const string PropertyName = "Version";

    /// <summary>
    /// Throws when the model would let two writers overwrite each other silently, so a mapping mistake fails the first
    /// message loudly instead of losing updates under load.
    /// </summary>
    public static void EnsureMapped<TSaga>(DbContext dbContext)
        where TSaga : class, ISaga
    {
        var entityType = dbContext.Model.FindEntityType(typeof(TSaga))
            ?? throw new ConfigurationException(
                $"The saga {typeof(TSaga).Name} is not part of {dbContext.GetType().Name}'s model: map it in OnModelCreating.");

        var key = entityType.FindPrimaryKey();
        if (key is null || key.Properties.Count != 1 || key.Properties[0].Name != nameof(ISaga.CorrelationId))
        {
            throw new ConfigurationException(
                $"The saga {typeof(TSaga).Name} must have CorrelationId as its only primary key column (ConfigureSagaKey()).");
        }

        var version = entityType.FindProperty(PropertyName);
        if (version is null || version.ClrType != typeof(int) || !version.IsConcurrencyToken)
        {
            throw new ConfigurationException(
                $"The saga {typeof(TSaga).Name} needs an int {PropertyName} property mapped as a concurrency token (ConfigureSagaVersion()).");
        }
    }

    /// <summary>Stamps a new instance with the first version.</summary>
    public static void Initialize<TSaga>(EntityEntry<TSaga> entry)
        where TSaga : class
    {
        entry.Property<int>(PropertyName).CurrentValue = 1;
    }

    /// <summary>
    /// Moves a loaded instance to the next version. EF compares the original value in the UPDATE/DELETE's WHERE clause,
    /// so a writer that saved in between makes this write affect no row and fail.
    /// </summary>
    public static void Increment<TSaga>(EntityEntry<TSaga> entry)
        where TSaga : class
    {
        var version = entry.Property<int>(PropertyName);
        version.CurrentValue = version.OriginalValue + 1;
    }
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cerebro.Server.Persistence;

/// <summary>Stores a list of ids as one JSON text column: the lists are read and written whole, never queried into.</summary>
internal static class GuidListConversion
{
    public static PropertyBuilder<List<Guid>> HasJsonConversion(this PropertyBuilder<List<Guid>> property) =>
        property.HasConversion(
            v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
            v => JsonSerializer.Deserialize<List<Guid>>(v, (JsonSerializerOptions?)null) ?? new List<Guid>(),
            new ValueComparer<List<Guid>>(
                (a, b) => a!.SequenceEqual(b!),
                v => v.Aggregate(0, (h, g) => HashCode.Combine(h, g)),
                v => v.ToList()));
}

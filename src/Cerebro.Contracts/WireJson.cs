using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cerebro.Contracts;

/// <summary>The JSON settings of the wire: camelCase names, case-insensitive reads, nulls omitted.</summary>
public static class WireJson
{
    /// <summary>Options to serialize and deserialize every Cerebro message body.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

using System.Text.Json;

namespace Cerebro.Contracts;

/// <summary>The task finished successfully.</summary>
public sealed class TaskCompleted : TaskRunEvent
{
    /// <summary>An optional small JSON result (at most 64 KiB serialized).</summary>
    public JsonElement? Result { get; init; }
}

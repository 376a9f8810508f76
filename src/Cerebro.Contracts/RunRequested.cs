using System.Text.Json;

namespace Cerebro.Contracts;

/// <summary>The ad-hoc invoke event: anyone on the bus asks Cerebro to run a task (and what must run before it).</summary>
public sealed class RunRequested
{
    /// <summary>The task to run.</summary>
    public required string Task { get; init; }

    /// <summary>Parameters passed with every invoke of the run.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Parameters { get; init; }

    /// <summary>An id the requester chooses, so a repeated request starts one run only; Cerebro makes one if absent.</summary>
    public Guid? RunId { get; init; }

    /// <summary>Who asked, free text for operators.</summary>
    public string? RequestedBy { get; init; }
}

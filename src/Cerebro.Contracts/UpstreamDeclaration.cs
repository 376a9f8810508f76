namespace Cerebro.Contracts;

/// <summary>A dependency of a declared task on another task.</summary>
public sealed class UpstreamDeclaration
{
    /// <summary>The upstream task's name.</summary>
    public required string Task { get; init; }

    /// <summary>
    /// Absent: the upstream must run first in the same run. Present: a successful run of the upstream that
    /// finished at most this many seconds before the run was planned is reused instead of running it again.
    /// </summary>
    public double? FreshWithinSeconds { get; init; }
}

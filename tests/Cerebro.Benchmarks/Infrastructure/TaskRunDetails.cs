namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>One task run of a run, as the API shows it.</summary>
public sealed record TaskRunDetails(string Task, string State, DateTimeOffset? InvokedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error);

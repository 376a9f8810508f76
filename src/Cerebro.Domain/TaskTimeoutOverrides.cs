namespace Cerebro.Domain;

/// <summary>Per-task overrides of the coordinator's timeouts; a null value keeps the coordinator's default.</summary>
/// <param name="Ack">From the invoke to the task being queued or started.</param>
/// <param name="Start">From the task being queued to its start.</param>
/// <param name="Complete">From the task's start to its completion or failure.</param>
public sealed record TaskTimeoutOverrides(TimeSpan? Ack, TimeSpan? Start, TimeSpan? Complete);

namespace Cerebro.Tests.Shared.Sagas;

/// <summary>Adds one to a counter, found by id.</summary>
public sealed record IncrementCounter(Guid CounterId);

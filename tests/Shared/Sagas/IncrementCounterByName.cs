namespace Cerebro.Tests.Shared.Sagas;

/// <summary>Adds one to a counter, found by name (query correlation).</summary>
public sealed record IncrementCounterByName(string Name);

namespace Cerebro.IntegrationTests.Sagas;

/// <summary>Adds one to a counter.</summary>
public sealed record IncrementCounter(Guid CounterId);

namespace Cerebro.Tests.Shared.Sagas;

/// <summary>Starts a counter saga.</summary>
public sealed record CreateCounter(Guid CounterId, string Name);

namespace Cerebro.Tests.Shared.Sagas;

/// <summary>Published when an increment names a counter that does not exist.</summary>
public sealed record CounterNotFound(Guid CounterId);

namespace Cerebro.Tests.Shared.Sagas;

/// <summary>Published for each applied increment, with the count it produced.</summary>
public sealed record CounterIncremented(Guid CounterId, int Count);

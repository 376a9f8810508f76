namespace Cerebro.Tests.Shared.Sagas;

/// <summary>Finalizes a counter, which removes its row.</summary>
public sealed record CloseCounter(Guid CounterId);

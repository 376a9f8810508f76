namespace Cerebro.Worker.Internal;

/// <summary>One attempt of one task run: the unit an agent runs at most once.</summary>
internal readonly record struct RunKey(Guid TaskRunId, int Attempt);

namespace Cerebro.Server.Messages;

/// <summary>Asks the run saga to confirm whether every task run has ended (sent by recovery after a crash).</summary>
public sealed record RunCompletionCheck(Guid RunId);

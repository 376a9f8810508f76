namespace Cerebro.Server.Agents;

/// <summary>A message breaks the protocol; it goes to the error queue with this reason and is not retried.</summary>
public sealed class ProtocolViolationException(string message, Exception? inner = null) : Exception(message, inner);

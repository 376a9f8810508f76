namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// Stands for any raw JSON message between an agent and Cerebro: outgoing, the body comes from
/// <see cref="RawBodySerializer"/>; incoming, the fake agent reads the headers and the bytes itself.
/// </summary>
public sealed class AgentWireMessage;

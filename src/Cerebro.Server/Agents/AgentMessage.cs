namespace Cerebro.Server.Agents;

/// <summary>
/// Any raw JSON message on the agent-events queue. Agents speak plain JSON, not MassTransit's envelope, so the
/// queue's one consumer reads the <c>cerebro-type</c> header and deserializes the body itself.
/// </summary>
public sealed class AgentMessage;

namespace Cerebro.Domain;

/// <summary>A declared task that was refused or cannot run, and why, written for the agent's team.</summary>
/// <param name="Task">The task's name as declared.</param>
/// <param name="Reason">Why.</param>
public sealed record TaskRefusal(string Task, string Reason);

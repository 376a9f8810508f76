namespace Cerebro.Server.Messages;

/// <summary>An upstream task run of the same run ended; <paramref name="Succeeded"/> false blocks the downstream.</summary>
public sealed record UpstreamFinished(Guid TaskRunId, Guid UpstreamTaskRunId, string UpstreamTask, bool Succeeded, string UpstreamState);

namespace Cerebro.Server.Messages;

/// <summary>
/// An upstream task run of the same run ended in error or blocked: the downstream blocks. (A success needs no message:
/// the upstream counts itself off its downstreams in its own transaction.)
/// </summary>
public sealed record UpstreamFailed(Guid TaskRunId, Guid UpstreamTaskRunId, string UpstreamTask, string UpstreamState);

namespace Cerebro.Server.Persistence;

/// <summary>A task's latest successful run, which freshness upstreams may reuse.</summary>
public sealed class TaskSuccessRecord
{
    public string Task { get; set; } = null!;
    public Guid TaskRunId { get; set; }
    public Guid RunId { get; set; }
    public DateTime SucceededAt { get; set; }
}

namespace Cerebro.Server.Persistence;

/// <summary>A message Cerebro received but did not apply (late, duplicate, foreign or malformed), with the reason.</summary>
public sealed class IgnoredMessageRecord
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public Guid? MessageId { get; set; }
    public string? Type { get; set; }
    public string? Sender { get; set; }
    public Guid? RunId { get; set; }
    public Guid? TaskRunId { get; set; }

    /// <summary>ignored (applying it would change nothing or corrupt state) or rejected (malformed, sent to the error queue).</summary>
    public string Disposition { get; set; } = null!;

    public string Reason { get; set; } = null!;
    public string? Body { get; set; }
}

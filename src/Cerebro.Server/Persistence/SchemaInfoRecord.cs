namespace Cerebro.Server.Persistence;

/// <summary>
/// One row: the fingerprint of the schema the database was created with (a hash of the model's CREATE script), so a
/// Cerebro whose model changed recognises a database it cannot use instead of failing on a missing column mid-run.
/// </summary>
public sealed class SchemaInfoRecord
{
    public int Id { get; set; }
    public string Fingerprint { get; set; } = null!;
    public DateTime CreatedAt { get; set; }
}

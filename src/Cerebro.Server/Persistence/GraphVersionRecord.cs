namespace Cerebro.Server.Persistence;

/// <summary>A single row whose number changes with every accepted declaration, so each instance knows when its cached graph is stale.</summary>
public sealed class GraphVersionRecord
{
    public int Id { get; set; }
    public long Version { get; set; }
}

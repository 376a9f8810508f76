namespace Cerebro.IntegrationTests.Scenarios.Support;

/// <summary>The demo graph: which agent runs each task, and the run-first upstream edges of a publish-dashboard run.</summary>
public static class DemoTasks
{
    public static readonly IReadOnlyDictionary<string, string> AgentOf = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["extract-customers"] = CerebroCluster.TaskServerA,
        ["extract-orders"] = CerebroCluster.TaskServerA,
        ["extract-products"] = CerebroCluster.TaskServerA,
        ["build-sales"] = CerebroCluster.TaskServerB,
        ["build-catalog"] = CerebroCluster.TaskServerB,
        ["publish-dashboard"] = CerebroCluster.TaskServerB,
    };

    /// <summary>(upstream, downstream) of every edge within a run of publish-dashboard on a fresh database (nothing to reuse).</summary>
    public static readonly IReadOnlyList<(string Upstream, string Downstream)> PublishDashboardEdges =
    [
        ("extract-orders", "build-sales"),
        ("extract-customers", "build-sales"),
        ("extract-products", "build-catalog"),
        ("build-sales", "publish-dashboard"),
        ("build-catalog", "publish-dashboard"),
    ];
}

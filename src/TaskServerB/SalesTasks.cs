using Cerebro.TaskServers;
using Cerebro.Worker;

namespace TaskServerB;

/// <summary>The tasks of task-server-b, declared by attribute.</summary>
public sealed class SalesTasks
{
    /// <summary>Joins orders and customers; both extracts run first in the same run.</summary>
    /// <param name="context">The task run.</param>
    /// <param name="cancellationToken">Cancelled when the agent stops.</param>
    /// <returns>A small summary.</returns>
    [CerebroTask("build-sales", Owner = TaskServerBTasks.Owner, Description = "Builds the sales mart from orders and customers.")]
    [DependsOn("extract-orders")]
    [DependsOn("extract-customers")]
    public Task<object?> BuildSalesAsync(TaskContext context, CancellationToken cancellationToken) =>
        DemoAgent.WorkAsync(context, cancellationToken);

    /// <summary>Builds the catalog; a product extract of the last hour is reused.</summary>
    /// <param name="context">The task run.</param>
    /// <param name="cancellationToken">Cancelled when the agent stops.</param>
    /// <returns>A small summary.</returns>
    [CerebroTask("build-catalog", Owner = TaskServerBTasks.Owner, Description = "Builds the catalog mart from the products.")]
    [DependsOnFresh("extract-products", 3600)]
    public Task<object?> BuildCatalogAsync(TaskContext context, CancellationToken cancellationToken) =>
        DemoAgent.WorkAsync(context, cancellationToken);

    /// <summary>Publishes the dashboard once both marts are built.</summary>
    /// <param name="context">The task run.</param>
    /// <param name="cancellationToken">Cancelled when the agent stops.</param>
    /// <returns>A small summary.</returns>
    [CerebroTask("publish-dashboard", Owner = TaskServerBTasks.Owner, Description = "Publishes the sales dashboard.")]
    [DependsOn("build-sales")]
    [DependsOn("build-catalog")]
    public Task<object?> PublishDashboardAsync(TaskContext context, CancellationToken cancellationToken) =>
        DemoAgent.WorkAsync(context, cancellationToken);
}

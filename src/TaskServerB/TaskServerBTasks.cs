using Cerebro.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace TaskServerB;

/// <summary>
/// The tasks of the demo agent <c>task-server-b</c> (team-b), downstream of task-server-a: build-sales,
/// build-catalog and publish-dashboard, registered by attribute from <see cref="SalesTasks"/>.
/// </summary>
public static class TaskServerBTasks
{
    /// <summary>The agent's name.</summary>
    public const string AgentName = "task-server-b";

    /// <summary>The team owning every task of this agent.</summary>
    public const string Owner = "team-b";

    /// <summary>Adds the tasks of <see cref="SalesTasks"/>.</summary>
    /// <param name="builder">The worker to add them to.</param>
    /// <returns>The builder.</returns>
    public static ICerebroWorkerBuilder AddTaskServerBTasks(this ICerebroWorkerBuilder builder) => builder.AddTasks<SalesTasks>();
}

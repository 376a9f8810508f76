using Cerebro.TaskServers;
using Cerebro.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace TaskServerA;

/// <summary>The tasks of the demo agent <c>task-server-a</c> (team-a): three independent extracts.</summary>
public static class TaskServerATasks
{
    /// <summary>The agent's name.</summary>
    public const string AgentName = "task-server-a";

    /// <summary>The team owning every task of this agent.</summary>
    public const string Owner = "team-a";

    /// <summary>Adds extract-customers, extract-orders and extract-products, registered by delegate.</summary>
    /// <param name="builder">The worker to add them to.</param>
    /// <returns>The builder.</returns>
    public static ICerebroWorkerBuilder AddTaskServerATasks(this ICerebroWorkerBuilder builder) => builder
        .AddTask("extract-customers", t => t.Owner(Owner).Description("Extracts the customers from the CRM."), DemoAgent.WorkAsync)
        .AddTask("extract-orders", t => t.Owner(Owner).Description("Extracts the orders from the shop."), DemoAgent.WorkAsync)
        .AddTask("extract-products", t => t.Owner(Owner).Description("Extracts the product catalog."), DemoAgent.WorkAsync);
}

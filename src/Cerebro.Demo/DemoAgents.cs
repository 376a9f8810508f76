using Cerebro.Worker;
using MassTransit;
using TaskServerA;
using TaskServerB;

namespace Cerebro.Demo;

/// <summary>
/// Runs both demo agents inside this process, each in a host of its own (as if it were its own server), attached to
/// Cerebro's in-memory bus. They speak the same protocol they speak over RabbitMQ.
/// </summary>
internal sealed class DemoAgents(IBus bus, IReceiveEndpointConnector connector, IConfiguration configuration) : IHostedService
{
    private readonly List<IHost> _agents = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _agents.Add(CreateAgent(b => b.AddTaskServerATasks(), TaskServerATasks.AgentName));
        _agents.Add(CreateAgent(b => b.AddTaskServerBTasks(), TaskServerBTasks.AgentName));
        foreach (var agent in _agents)
            await agent.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var agent in _agents)
        {
            await agent.StopAsync(cancellationToken).ConfigureAwait(false);
            agent.Dispose();
        }
    }

    private IHost CreateAgent(Func<ICerebroWorkerBuilder, ICerebroWorkerBuilder> addTasks, string name)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Configuration = new ConfigurationManager() });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(bus);
        builder.Services.AddSingleton(connector);
        addTasks(builder.Services.AddCerebroWorker(o =>
        {
            o.Agent = name;
            o.MaxConcurrency = 2;
        }).UseHostBus());
        return builder.Build();
    }
}

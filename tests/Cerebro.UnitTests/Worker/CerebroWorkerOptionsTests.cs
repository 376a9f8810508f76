using Cerebro.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cerebro.UnitTests.Worker;

public sealed class CerebroWorkerOptionsTests
{
    [Fact]
    public void Options_Defaults_MatchTheProtocol()
    {
        var options = new CerebroWorkerOptions();

        Assert.Equal(1, options.MaxConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DrainTimeout);
        Assert.Equal(CerebroTransport.None, options.Transport);
    }

    [Fact]
    public void Options_AreBoundFromTheCerebroWorkerSection_AndTheConnectionString()
    {
        var (services, worker) = WorkerServices.Create(new Dictionary<string, string?>
        {
            ["Cerebro:Worker:Agent"] = "task-server-z",
            ["Cerebro:Worker:MaxConcurrency"] = "4",
            ["Cerebro:Worker:HeartbeatInterval"] = "00:00:02",
            ["Cerebro:Worker:Timeouts:build-sales:CompleteSeconds"] = "5",
            ["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:5672/cerebro",
        });
        worker.UseRabbitMq();

        var options = Read(services);

        Assert.Equal("task-server-z", options.Agent);
        Assert.Equal(4, options.MaxConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(2), options.HeartbeatInterval);
        Assert.Equal(5, options.Timeouts["build-sales"].CompleteSeconds);
        Assert.Equal(CerebroTransport.RabbitMq, options.Transport);
        Assert.Equal("amqp://guest:guest@127.0.0.1:5672/cerebro", options.RabbitMqUri);
    }

    [Fact]
    public void UseRabbitMq_WithAUri_WinsOverConfiguration_AndTheDelegateWinsOverTheSection()
    {
        var (services, worker) = WorkerServices.Create(
            new Dictionary<string, string?> { ["Cerebro:Worker:Agent"] = "from-config", ["ConnectionStrings:RabbitMq"] = "amqp://a/" },
            o => o.Agent = "from-code");
        worker.UseRabbitMq("amqp://guest:guest@broker:5672/vh");

        var options = Read(services);

        Assert.Equal("from-code", options.Agent);
        Assert.Equal("amqp://guest:guest@broker:5672/vh", options.RabbitMqUri);
    }

    [Theory]
    [InlineData("Task-Server", 1, "Agent 'Task-Server' is invalid")]
    [InlineData("task.server", 1, "no dots")]
    [InlineData("", 1, "Agent is required")]
    [InlineData("task-server", 0, "MaxConcurrency must be at least 1")]
    public void Validation_RejectsBadAgentNamesAndConcurrency(string agent, int maxConcurrency, string expected)
    {
        var (services, worker) = WorkerServices.Create(configure: o =>
        {
            o.Agent = agent;
            o.MaxConcurrency = maxConcurrency;
        });
        worker.UseHostBus();

        var ex = Assert.Throws<OptionsValidationException>(() => Read(services));

        Assert.Contains(ex.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_WithoutATransport_Fails()
    {
        var (services, _) = WorkerServices.Create(configure: o => o.Agent = "task-server-a");

        var ex = Assert.Throws<OptionsValidationException>(() => Read(services));

        Assert.Contains(ex.Failures, f => f.Contains("no transport configured", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "without a broker")]
    [InlineData("http://127.0.0.1:15672/", "amqp://")]
    public void Validation_RabbitMqWithoutAUsableUri_Fails(string? uri, string expected)
    {
        var (services, worker) = WorkerServices.Create(configure: o => o.Agent = "task-server-a");
        worker.UseRabbitMq(uri);

        var ex = Assert.Throws<OptionsValidationException>(() => Read(services));

        Assert.Contains(ex.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_ValidOptions_Pass()
    {
        var (services, worker) = WorkerServices.Create(configure: o => o.Agent = "task-server-a");
        worker.UseRabbitMq("amqp://guest:guest@127.0.0.1:5672/");

        Assert.Equal("task-server-a", Read(services).Agent);
    }

    private static CerebroWorkerOptions Read(IServiceCollection services, string name = "")
    {
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<CerebroWorkerOptions>>().Get(name);
    }
}

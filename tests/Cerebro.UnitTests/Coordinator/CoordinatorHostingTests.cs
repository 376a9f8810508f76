using Cerebro.Server.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>The coordinator as Program builds it, on the embedded defaults the other coordinator tests rely on.</summary>
public sealed class CoordinatorHostingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EmbeddedDefaults_UseTheConfiguredSqliteFileAndTheInMemoryBus()
    {
        await using var cerebro = await Coordinator.StartAsync(output);

        Assert.True(File.Exists(cerebro.SqlitePath), $"no database at {cerebro.SqlitePath}");
        var dataSource = await cerebro.QueryAsync(db => Task.FromResult(db.Database.GetDbConnection().DataSource));
        Assert.Equal(cerebro.SqlitePath, dataSource);
        Assert.Equal("loopback", cerebro.Services.GetRequiredService<IBus>().Address.Scheme);
        Assert.Same(cerebro.Clock, cerebro.Services.GetRequiredService<TimeProvider>());
        Assert.Equal(0, await cerebro.QueryAsync(db => db.TaskRuns.CountAsync()));
    }

    /// <summary>
    /// Development turns on the container's scope validation (WebApplicationFactory's default, and `dotnet run` with
    /// ASPNETCORE_ENVIRONMENT=Development): the coordinator must build there too, with no singleton holding a scoped service.
    /// </summary>
    [Fact]
    public async Task DevelopmentEnvironment_HostBuilds_NoSingletonCapturesAScopedService()
    {
        await using var cerebro = await Coordinator.StartAsync(output, "Development");

        // Reaching here means the container passed ValidateOnBuild; these are resolved as the consumers resolve them.
        await using var scope = cerebro.Services.CreateAsyncScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<IgnoredMessageLog>());
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<Cerebro.Server.Agents.AgentEventConsumer>());
    }
}

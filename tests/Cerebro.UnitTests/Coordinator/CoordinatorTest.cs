using Xunit.Abstractions;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>A test class whose every test gets its own Cerebro (in-process, SQLite, manual clock) and agent <c>agent-a</c>.</summary>
public abstract class CoordinatorTest(ITestOutputHelper output) : IAsyncLifetime
{
    protected Coordinator Server { get; private set; } = null!;

    protected FakeAgent AgentA { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await Coordinator.StartAsync(output);
        AgentA = await Server.AgentAsync("agent-a");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

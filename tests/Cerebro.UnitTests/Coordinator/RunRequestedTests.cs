using System.Net.Http.Json;
using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Server.Api;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>run.requested, the ad-hoc invoke event, and the requester-chosen run id that makes a repeated request start nothing new.</summary>
public sealed class RunRequestedTests(ITestOutputHelper output) : IAsyncLifetime
{
    private Coordinator _cerebro = null!;
    private FakeAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _cerebro = await Coordinator.StartAsync(output);
        _agent = await _cerebro.AgentAsync("agent-a");
        await _agent.DeclareAsync(Task("nightly"));
    }

    public async Task DisposeAsync() => await _cerebro.DisposeAsync();

    [Fact]
    public async Task RunRequestedTwiceWithOneRunId_StartsOneRun()
    {
        var requester = await _cerebro.AgentAsync("scheduler");
        var runId = Guid.NewGuid();
        var request = new RunRequested
        {
            Task = "nightly",
            RunId = runId,
            RequestedBy = "ops",
            Parameters = new Dictionary<string, JsonElement> { ["day"] = JsonSerializer.SerializeToElement("monday") },
        };

        await requester.SendAsync(MessageTypes.RunRequested, request);
        await requester.SendAsync(MessageTypes.RunRequested, request);

        // One sender's messages are applied in order: once this one is recorded, both requests above were handled.
        var marker = await requester.SendAsync(MessageTypes.RunRequested, new RunRequested { Task = "nobody-declares-this" });
        var rejected = await _cerebro.WaitForIgnoredAsync(marker);
        Assert.Equal(("rejected", "run of 'nobody-declares-this' not started: no agent declares a task named 'nobody-declares-this'"),
            (rejected.Disposition, rejected.Reason));

        var runs = await _cerebro.Http.GetFromJsonAsync<List<RunSummaryView>>("/api/runs?task=nightly");
        var run = Assert.Single(runs!);
        Assert.Equal((runId, "event"), (run.RunId, run.Trigger));
        var invoke = await _agent.WaitForInvokeAsync("nightly", runId);
        Assert.Equal("monday", invoke.Parameters["day"].GetString());
        Assert.Equal("ops", (await _cerebro.GetRunAsync(runId)).RequestedBy);
        Assert.Single(_agent.Invokes(runId));
    }

    [Fact]
    public async Task PostRunTwiceWithOneRunId_StartsOneRun()
    {
        var runId = Guid.NewGuid();

        var first = await _cerebro.Http.PostAsJsonAsync("/api/runs", new { task = "nightly", runId });
        var second = await _cerebro.Http.PostAsJsonAsync("/api/runs", new { task = "nightly", runId });

        Assert.Equal(System.Net.HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(runId, (await second.Content.ReadFromJsonAsync<RunStarted>())!.RunId);
        Assert.Single((await _cerebro.Http.GetFromJsonAsync<List<RunSummaryView>>("/api/runs"))!);
        var invoke = await _agent.WaitForInvokeAsync("nightly", runId);
        await _agent.CompletedAsync(invoke);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Single(_agent.Invokes(runId));
    }
}

using System.Net.Http.Json;
using Cerebro.Server.Api;
using Cerebro.Server.TaskRuns;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>GET /api/runs: the status filter selects by the status the API shows.</summary>
public sealed class RunListTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    [Fact]
    public async Task StatusFilter_SelectsPendingApartFromRunning_BeforeTheLimit()
    {
        await AgentA.DeclareAsync(Task("solo"), Task("up"), Task("down", "up"), Task("done"));
        var pending = await StartRunAsync("solo");
        var solo = await AgentA.WaitForInvokeAsync("solo", pending);
        await Server.WaitForTaskRunAsync(pending, "solo", "invoked");
        await BackToPendingAsync(solo.TaskRunId);

        // Newer than the pending run, so a filter applied after the limit would find no pending run in the page.
        Server.Clock.Advance(TimeSpan.FromSeconds(1));
        var running = await StartRunAsync("down");
        await Server.WaitForTaskRunAsync(running, "up", "invoked");
        var ended = await StartRunAsync("done");
        await AgentA.CompletedAsync(await AgentA.WaitForInvokeAsync("done", ended));
        await Server.WaitForRunStatusAsync(ended, "succeeded");

        Assert.Equal("pending", (await Server.GetRunAsync(pending)).Status);
        Assert.Equal([(pending, "pending")], await ListAsync("status=pending"));
        Assert.Equal([(pending, "pending")], await ListAsync("status=pending&limit=1"));
        Assert.Equal([(running, "running")], await ListAsync("status=running"));
        Assert.Equal([(ended, "succeeded")], await ListAsync("status=succeeded"));
        Assert.Empty(await ListAsync("status=failed"));
        Assert.Empty(await ListAsync("status=unheard-of"));
    }

    private async Task<Guid> StartRunAsync(string task)
    {
        var runId = await Server.StartRunAsync(task);
        Server.Clock.Advance(TimeSpan.FromSeconds(1));
        return runId;
    }

    private async Task<List<(Guid, string)>> ListAsync(string query) =>
        [.. (await Server.Http.GetFromJsonAsync<List<RunSummaryView>>($"/api/runs?{query}"))!.Select(r => (r.RunId, r.Status))];

    /// <summary>The task run as launched and not yet invoked: what a run looks like between its commit and its first invoke.</summary>
    private Task BackToPendingAsync(Guid taskRunId) =>
        Server.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == taskRunId).ExecuteUpdateAsync(t => t
            .SetProperty(x => x.CurrentState, TaskRunStates.Pending)
            .SetProperty(x => x.InvokedAt, (DateTime?)null)
            .SetProperty(x => x.DeadlineKind, (string?)null)
            .SetProperty(x => x.DeadlineDueMs, (long?)null)
            .SetProperty(x => x.Version, x => x.Version + 1)));
}

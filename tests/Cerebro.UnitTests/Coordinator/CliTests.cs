using System.Text.Json;
using Cerebro.Cli;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>The <c>cerebro</c> command line against a running Cerebro: what an operator types, what they read back.</summary>
public sealed class CliTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    [Fact]
    public async Task StartWait_RunsTheTask_PrintsTheFinishedRun_TriggerCli()
    {
        await AgentA.DeclareAsync(Task("extract"), Task("load", "extract"));

        var cli = Cli("start", "load", "--wait", "-p", "day=\"2031-03-03\"", "-p", "limit=5");
        var extract = await AgentA.WaitForAsync(m => m.Type == "task.invoke", "the invoke of extract");
        var runId = extract.Read<Contracts.InvokeTask>().RunId;
        await AgentA.CompletedAsync(extract.Read<Contracts.InvokeTask>());
        var load = await AgentA.WaitForInvokeAsync("load", runId);
        await AgentA.CompletedAsync(load);
        var (exit, stdout, stderr) = await cli;

        Assert.Equal((0, ""), (exit, stderr));
        Assert.Contains($"run {runId} of load: succeeded (trigger cli", stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^extract\s+agent-a\s+team-test\s+completed", stdout);
        Assert.Matches(@"(?m)^load\s+agent-a\s+team-test\s+completed", stdout);
        Assert.Equal(("2031-03-03", 5), (load.Parameters["day"].GetString(), load.Parameters["limit"].GetInt32()));
        Assert.Equal("cli", (await Server.GetRunAsync(runId)).Trigger);
    }

    [Fact]
    public async Task Show_FailedRun_SaysWhichTaskFailed_Why_AndWhatIsBlocked()
    {
        await AgentA.DeclareAsync(Task("extract"), Task("load", "extract"));
        var runId = await Server.StartRunAsync("load");
        await AgentA.FailedAsync(await AgentA.WaitForInvokeAsync("extract", runId), "source file missing");
        await Server.WaitForRunStatusAsync(runId, "failed");

        var (exit, stdout, _) = await Cli("show", runId.ToString());

        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^extract\s+agent-a\s+team-test\s+error\s.*agent: source file missing$", stdout);
        Assert.Matches(@"(?m)^load\s+agent-a\s+team-test\s+blocked\s.*cerebro: blocked: upstream 'extract' ended error$", stdout);
    }

    [Fact]
    public async Task Start_UnknownTask_ExitsOne_WithCerebrosReason()
    {
        var (exit, stdout, stderr) = await Cli("start", "no-such-task");

        Assert.Equal((1, ""), (exit, stdout));
        Assert.Contains("404", stderr, StringComparison.Ordinal);
        Assert.Contains("no agent declares a task named 'no-such-task'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsJson_IsTheApisAnswer_TasksTable_ShowsStatus()
    {
        await AgentA.DeclareAsync(Task("extract"), Task("orphan", "ghost"));
        var runId = await Server.StartRunAsync("extract");

        var (exit, stdout, _) = await Cli("runs", "--json");
        Assert.Equal(0, exit);
        Assert.Equal(runId, JsonDocument.Parse(stdout).RootElement.EnumerateArray().Single().GetProperty("runId").GetGuid());

        (exit, stdout, _) = await Cli("tasks");
        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^extract\s+agent-a\s+team-test\s+runnable$", stdout);
        Assert.Matches(@"(?m)^orphan\s+agent-a\s+team-test\s+ghost\s+unresolved: .*ghost", stdout);
    }

    [Fact]
    public async Task BadParameter_IsAUsageError()
    {
        var (exit, _, stderr) = await Cli("start", "extract", "-p", "no-equals-sign");

        Assert.Equal(2, exit);
        Assert.Contains("--param 'no-equals-sign' is not name=value", stderr, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Stdout, string Stderr)> Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CerebroCli.RunAsync(args, Server.Http, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}

using System.Text.Json;
using Cerebro.Server.Persistence;
using Cerebro.Server.Runs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cerebro.Demo;

/// <summary>Waits for both agents to declare, triggers one run, prints each task run's progress, then leaves the API to the user.</summary>
internal sealed class DemoRun(IServiceScopeFactory scopes, IServer server, IOptions<DemoOptions> options, TimeProvider clock,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForStartedAsync(stoppingToken).ConfigureAwait(false);
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
        var demo = options.Value;
        if (demo.NoRun)
        {
            PrintUsage(url);
            return;
        }

        Console.WriteLine("Cerebro (embedded: in-memory transport, SQLite) with agents task-server-a and task-server-b.");
        await WaitForAgentsAsync(stoppingToken).ConfigureAwait(false);
        var fail = (demo.Fail ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parameters = new Dictionary<string, JsonElement>
        {
            ["durationMs"] = JsonSerializer.SerializeToElement(demo.DurationMs),
            ["fail"] = JsonSerializer.SerializeToElement(fail),
        };

        RunLaunch launch;
        await using (var scope = scopes.CreateAsyncScope())
            launch = await scope.ServiceProvider.GetRequiredService<RunLauncher>()
                .LaunchAsync(new RunRequest(demo.Task, parameters, "api", "demo"), stoppingToken).ConfigureAwait(false);
        if (launch.RunId is not { } runId)
        {
            Console.WriteLine($"Demo run not started: {launch.Reason}");
            return;
        }

        Console.WriteLine($"Run {runId} of '{demo.Task}' triggered" + (fail.Length > 0 ? $" (failing on request: {string.Join(", ", fail)})" : "") + ":");
        await FollowAsync(runId, stoppingToken).ConfigureAwait(false);
        PrintUsage(url);
    }

    private async Task FollowAsync(Guid runId, CancellationToken stoppingToken)
    {
        var start = clock.GetTimestamp();
        var seen = new Dictionary<Guid, string>();
        while (!stoppingToken.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
            var taskRuns = await db.TaskRuns.AsNoTracking().Where(t => t.RunId == runId).OrderBy(t => t.Position).ToListAsync(stoppingToken).ConfigureAwait(false);
            foreach (var t in taskRuns.Where(t => !seen.TryGetValue(t.CorrelationId, out var s) || s != t.CurrentState))
            {
                seen[t.CorrelationId] = t.CurrentState;
                var detail = t.Error is null ? "" : $"  ({t.Error})";
                Console.WriteLine($"  +{clock.GetElapsedTime(start).TotalSeconds,6:0.00}s  {t.Task,-20} {t.Agent,-15} {t.CurrentState.ToLowerInvariant()}{detail}");
            }

            var run = await db.Runs.AsNoTracking().FirstAsync(r => r.CorrelationId == runId, stoppingToken).ConfigureAwait(false);
            if (run.FinishedAt is not null)
            {
                Console.WriteLine($"Run {runId} {run.CurrentState.ToLowerInvariant()} after {clock.GetElapsedTime(start).TotalSeconds:0.00}s.");
                return;
            }

            await Task.Delay(PollInterval, clock, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForAgentsAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
            var ready = await db.Agents.AsNoTracking().CountAsync(a => a.Name == "task-server-a" || a.Name == "task-server-b", stoppingToken).ConfigureAwait(false);
            var tasks = await db.Tasks.AsNoTracking().CountAsync(stoppingToken).ConfigureAwait(false);
            if (ready == 2 && tasks >= 6)
                return;
            await Task.Delay(PollInterval, clock, stoppingToken).ConfigureAwait(false);
        }
    }

    private Task WaitForStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        return started.Task;
    }

    private static void PrintUsage(string url)
    {
        Console.WriteLine($$$"""

            The HTTP API keeps serving at {{{url}}} (Ctrl+C to stop). Try:
              curl -s {{{url}}}/api/agents
              curl -s {{{url}}}/api/tasks
              curl -s -X POST {{{url}}}/api/runs -H 'Content-Type: application/json' -d '{"task":"build-sales","parameters":{"fail":["extract-orders"]}}'
              curl -s {{{url}}}/api/runs/<runId>
            """);
    }
}

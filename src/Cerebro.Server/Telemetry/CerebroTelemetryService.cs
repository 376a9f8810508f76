using System.Diagnostics.Metrics;
using Cerebro.Server.Hosting;
using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// Starts the OpenTelemetry SDK with the host (when exporting) and flushes it on shutdown, and observes the agents
/// gauge. Registered before the bus, so it starts before and stops after it: the bus's last spans still go out.
/// </summary>
internal sealed class CerebroTelemetryService(IServiceProvider services, IServiceScopeFactory scopes, IOptions<CerebroOptions> options,
    TimeProvider clock) : IHostedService, IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private CerebroOpenTelemetry? _openTelemetry;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _openTelemetry = services.GetService<CerebroOpenTelemetry>();
        AgentsGauge.Register(this, MeasureAgents);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        AgentsGauge.Unregister(this);
        _openTelemetry?.Flush(FlushTimeout);
        return Task.CompletedTask;
    }

    /// <summary>A host disposed without being stopped (a failed start) must not leave its gauge source behind.</summary>
    public void Dispose() => AgentsGauge.Unregister(this);

    private IEnumerable<Measurement<int>> MeasureAgents()
    {
        try
        {
            return MeasureAgentsFromDatabase();
        }
        catch (ObjectDisposedException)
        {
            AgentsGauge.Unregister(this);
            return [];
        }
    }

    private List<Measurement<int>> MeasureAgentsFromDatabase()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
        var offlineBefore = clock.GetUtcNow().UtcDateTime - options.Value.AgentOfflineAfter;
        var agents = db.Agents.AsNoTracking().Select(a => new { a.State, a.LastSeenAt }).ToList();
        var states = agents.Select(a => a.State == "ready" && a.LastSeenAt < offlineBefore ? "offline" : a.State).ToList();
        return new[] { "ready", "stopping", "offline" }
            .Select(state => new Measurement<int>(states.Count(s => s == state), new KeyValuePair<string, object?>(TelemetryTags.AgentState, state)))
            .ToList();
    }
}

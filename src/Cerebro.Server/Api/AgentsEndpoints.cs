using Cerebro.Server.Hosting;
using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cerebro.Server.Api;

internal static class AgentsEndpoints
{
    public static void MapAgents(this IEndpointRouteBuilder api)
    {
        api.MapGet("/agents", async (CerebroDbContext db, TimeProvider clock, IOptions<CerebroOptions> options, CancellationToken ct) =>
        {
            var agents = await db.Agents.AsNoTracking().OrderBy(a => a.Name).ToListAsync(ct);
            var tasks = (await db.Tasks.AsNoTracking().Select(t => new { t.Agent, t.Name }).ToListAsync(ct))
                .ToLookup(t => t.Agent, t => t.Name);
            var refused = (await db.TaskRefusals.AsNoTracking().ToListAsync(ct)).ToLookup(r => r.Agent);
            var offlineBefore = clock.GetUtcNow().UtcDateTime - options.Value.AgentOfflineAfter;
            return agents.Select(a => new AgentView(a.Name,
                a.State == "ready" && a.LastSeenAt < offlineBefore ? "offline" : a.State,
                a.Instance, a.Version, a.MaxConcurrency, a.ReadyAt, a.LastSeenAt, a.LastHeartbeatAt, a.Running, a.Queued,
                a.LastVerdict, a.LastVerdictReason, tasks[a.Name].Order(StringComparer.Ordinal).ToList(),
                refused[a.Name].Select(r => new TaskProblemView(r.Task, r.Reason)).ToList()));
        });
    }
}

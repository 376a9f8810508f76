using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Api;

internal static class SchedulesEndpoints
{
    /// <summary>GET /api/schedules: every cron schedule, when it fires next, and what its last occurrence did.</summary>
    public static void MapSchedules(this IEndpointRouteBuilder api) =>
        api.MapGet("/schedules", async (CerebroDbContext db, CancellationToken ct) =>
            (await db.CronSchedules.AsNoTracking().OrderBy(s => s.NextFireAt).ThenBy(s => s.Task).ToListAsync(ct))
            .Select(s => new ScheduleView(s.Task, s.Cron, DateTime.SpecifyKind(s.NextFireAt, DateTimeKind.Utc),
                s.LastFiredAt is { } last ? DateTime.SpecifyKind(last, DateTimeKind.Utc) : null, s.LastRunId, s.LastOutcome))
            .ToList());
}

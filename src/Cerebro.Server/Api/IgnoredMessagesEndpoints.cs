using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Api;

internal static class IgnoredMessagesEndpoints
{
    public static void MapIgnoredMessages(this IEndpointRouteBuilder api)
    {
        api.MapGet("/ignored-messages", async (Guid? runId, int? limit, CerebroDbContext db, CancellationToken ct) =>
        {
            var query = db.IgnoredMessages.AsNoTracking();
            if (runId is { } id)
                query = query.Where(m => m.RunId == id);
            var rows = await query.OrderByDescending(m => m.Id).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(ct);
            return rows.Select(m => new IgnoredMessageView(m.Id, m.At, m.Disposition, m.Reason, m.MessageId, m.Type, m.Sender, m.RunId, m.TaskRunId, m.Body));
        });
    }
}

using Cerebro.Contracts;
using MassTransit;
using Headers = Cerebro.Contracts.Headers;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Persistence;

/// <summary>Records messages Cerebro did not apply, in their own transaction, so the record survives whatever the handler does next.</summary>
public sealed class IgnoredMessageLog(IDbContextFactory<CerebroDbContext> contexts, TimeProvider clock, ILogger<IgnoredMessageLog> logger)
{
    public const string Ignored = "ignored";
    public const string Rejected = "rejected";

    public async Task RecordAsync(ConsumeContext context, string disposition, string reason, Guid? runId = null,
        Guid? taskRunId = null, string? body = null)
    {
        var type = context.Headers.Get<string>(Headers.Type) ?? TypeName(context);
        var sender = context.Headers.Get<string>(Headers.Sender);
        logger.LogWarning("Message {MessageId} ({Type} from {Sender}) {Disposition}: {Reason}",
            context.MessageId, type, sender, disposition, reason);
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        db.IgnoredMessages.Add(new IgnoredMessageRecord
        {
            At = clock.GetUtcNow().UtcDateTime,
            MessageId = context.MessageId,
            Type = type,
            Sender = sender,
            RunId = runId,
            TaskRunId = taskRunId,
            Disposition = disposition,
            Reason = reason,
            Body = body,
        });
        await db.SaveChangesAsync().ConfigureAwait(false);
    }

    /// <summary>A message that never became a consume context: its body could not be read.</summary>
    public async Task RecordUnreadableAsync(ReceiveContext context, string reason)
    {
        var headers = context.TransportHeaders;
        var messageId = context.GetMessageId();
        logger.LogWarning("Message {MessageId} rejected: {Reason}", messageId, reason);
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        db.IgnoredMessages.Add(new IgnoredMessageRecord
        {
            At = clock.GetUtcNow().UtcDateTime,
            MessageId = messageId,
            Type = headers.Get<string>(Headers.Type),
            Sender = headers.Get<string>(Headers.Sender),
            Disposition = Rejected,
            Reason = reason,
            Body = Cerebro.Server.Agents.AgentMessaging.Describe(context.Body.GetBytes()),
        });
        await db.SaveChangesAsync().ConfigureAwait(false);
    }

    private static string? TypeName(ConsumeContext context) =>
        context.SupportedMessageTypes.FirstOrDefault()?.Split(':').LastOrDefault();
}

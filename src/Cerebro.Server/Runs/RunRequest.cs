using System.Text.Json;

namespace Cerebro.Server.Runs;

/// <summary>A request to run a task, from any trigger.</summary>
/// <param name="Trigger">api, cli, cron or event.</param>
/// <param name="RunId">Chosen by the requester for idempotency; a repeated request with the same id starts nothing new.</param>
public sealed record RunRequest(string Task, IReadOnlyDictionary<string, JsonElement>? Parameters, string Trigger,
    string? RequestedBy = null, Guid? RunId = null, string? TraceParent = null);

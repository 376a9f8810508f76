using System.Globalization;
using System.Text.Json;

namespace Cerebro.Cli;

/// <summary>The API's answers as aligned text tables (times in UTC).</summary>
internal static class Tables
{
    public static void Agents(JsonElement agents, TextWriter output) =>
        Write(output, ["AGENT", "STATE", "LAST SEEN", "RUNNING", "QUEUED", "TASKS", "VERDICT"], agents.EnumerateArray().Select(a => new[]
        {
            Text(a, "name"), Text(a, "state"), Time(a, "lastSeenAt"), Number(a, "running"), Number(a, "queued"),
            a.GetProperty("tasks").GetArrayLength().ToString(CultureInfo.InvariantCulture),
            Text(a, "lastVerdict") + (Text(a, "lastVerdictReason") is { Length: > 0 } reason ? $": {reason}" : ""),
        }));

    public static void Tasks(JsonElement tasks, TextWriter output) =>
        Write(output, ["TASK", "AGENT", "OWNER", "UPSTREAMS", "CRON", "STATUS"], (tasks.ValueKind == JsonValueKind.Array ? tasks.EnumerateArray() : One(tasks))
            .Select(t => new[]
            {
                Text(t, "name"), Text(t, "agent"), Text(t, "owner"),
                string.Join(", ", t.GetProperty("upstreams").EnumerateArray().Select(u =>
                    Text(u, "task") + (Text(u, "kind") == "fresh" ? $" (fresh {Number(u, "freshWithinSeconds")} s)" : ""))),
                Text(t, "cron"),
                Text(t, "status") + (Text(t, "reason") is { Length: > 0 } reason ? $": {reason}" : ""),
            }));

    public static void Runs(JsonElement runs, TextWriter output) =>
        Write(output, ["RUN", "TASK", "STATUS", "TRIGGER", "CREATED", "FINISHED", "TASK RUNS"], runs.EnumerateArray().Select(r => new[]
        {
            Text(r, "runId"), Text(r, "task"), Text(r, "status"), Text(r, "trigger"), Time(r, "createdAt"), Time(r, "finishedAt"), Number(r, "totalTaskRuns"),
        }));

    public static void Run(JsonElement run, TextWriter output)
    {
        output.WriteLine($"run {Text(run, "runId")} of {Text(run, "task")}: {Text(run, "status")} (trigger {Text(run, "trigger")}"
            + (Text(run, "requestedBy") is { Length: > 0 } by ? $", by {by}" : "") + $"), created {Time(run, "createdAt")}, finished {Time(run, "finishedAt")}");
        Write(output, ["TASK", "AGENT", "OWNER", "STATE", "INVOKED", "STARTED", "FINISHED", "WAITING FOR / ERROR"],
            run.GetProperty("tasks").EnumerateArray().Select(t => new[]
            {
                Text(t, "task"), Text(t, "agent"), Text(t, "owner"), Text(t, "state"), Time(t, "invokedAt"), Time(t, "startedAt"), Time(t, "finishedAt"),
                t.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                    ? $"{Text(error, "source")}: {Text(error, "message")}"
                    : string.Join(", ", t.GetProperty("waitingFor").EnumerateArray().Select(w => w.GetString())),
            }));
    }

    public static void Schedules(JsonElement schedules, TextWriter output) =>
        Write(output, ["TASK", "CRON", "NEXT RUN", "LAST FIRED", "LAST RUN", "OUTCOME"], schedules.EnumerateArray().Select(s => new[]
        {
            Text(s, "task"), Text(s, "cron"), Time(s, "nextRunAt"), Time(s, "lastFiredAt"), Text(s, "lastRunId"), Text(s, "lastOutcome"),
        }));

    public static void Ignored(JsonElement messages, TextWriter output) =>
        Write(output, ["AT", "DISPOSITION", "TYPE", "SENDER", "RUN", "REASON"], messages.EnumerateArray().Select(m => new[]
        {
            Time(m, "at"), Text(m, "disposition"), Text(m, "type"), Text(m, "sender"), Text(m, "runId"), Text(m, "reason"),
        }));

    private static IEnumerable<JsonElement> One(JsonElement element)
    {
        yield return element;
    }

    private static void Write(TextWriter output, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        if (all.Count == 0)
        {
            output.WriteLine("(none)");
            return;
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(headers, widths));
        foreach (var row in all)
            output.WriteLine(Line(row, widths));
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => value.GetRawText(),
        } : "";

    private static string Number(JsonElement element, string property) => Text(element, property);

    private static string Time(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTime(out var time)
            ? time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)
            : "";
}

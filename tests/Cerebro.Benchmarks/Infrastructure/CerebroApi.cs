using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>The calls of Cerebro's HTTP API the benchmark makes.</summary>
public sealed class CerebroApi(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Uri BaseAddress => http.BaseAddress!;

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("health", cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>POST /api/runs; the new run's id.</summary>
    public async Task<Guid> StartRunAsync(string task, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/runs", new { task }, Json, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"POST /api/runs {task} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken).ConfigureAwait(false);
        return body.GetProperty("runId").GetGuid();
    }

    /// <summary>The run's status from GET /api/runs?task= (the cheap summary list), or null if it is not listed yet.</summary>
    public async Task<string?> RunStatusAsync(string task, Guid runId, CancellationToken cancellationToken)
    {
        var runs = await http.GetFromJsonAsync<JsonElement>($"api/runs?task={Uri.EscapeDataString(task)}&limit=5", Json, cancellationToken).ConfigureAwait(false);
        foreach (var run in runs.EnumerateArray())
        {
            if (run.GetProperty("runId").GetGuid() == runId)
                return run.GetProperty("status").GetString();
        }

        return null;
    }

    /// <summary>The latest runs of a task from GET /api/runs?task= (the cheap summary list): status, createdAt and finishedAt by run id.</summary>
    public async Task<Dictionary<Guid, (string Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)>> RunSummariesAsync(string task,
        int limit, CancellationToken cancellationToken)
    {
        var runs = await http.GetFromJsonAsync<JsonElement>($"api/runs?task={Uri.EscapeDataString(task)}&limit={limit}", Json, cancellationToken)
            .ConfigureAwait(false);
        return runs.EnumerateArray().ToDictionary(
            r => r.GetProperty("runId").GetGuid(),
            r => (r.GetProperty("status").GetString()!, Time(r, "createdAt")!.Value, Time(r, "finishedAt")));
    }

    /// <summary>GET /api/runs/{id}: the run with every task run.</summary>
    public async Task<RunDetails> GetRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        var run = await http.GetFromJsonAsync<JsonElement>($"api/runs/{runId}", Json, cancellationToken).ConfigureAwait(false);
        var tasks = run.GetProperty("tasks").EnumerateArray().Select(t => new TaskRunDetails(
            t.GetProperty("task").GetString()!,
            t.GetProperty("state").GetString()!,
            Time(t, "invokedAt"),
            Time(t, "startedAt"),
            Time(t, "finishedAt"),
            t.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? error.GetProperty("message").GetString() : null)).ToList();
        return new RunDetails(runId, run.GetProperty("status").GetString()!, Time(run, "createdAt")!.Value, Time(run, "finishedAt"), tasks);
    }

    /// <summary>The last verdict of an agent from GET /api/agents, or null while the agent is not listed.</summary>
    public async Task<string?> AgentVerdictAsync(string agent, CancellationToken cancellationToken)
    {
        var agents = await http.GetFromJsonAsync<JsonElement>("api/agents", Json, cancellationToken).ConfigureAwait(false);
        foreach (var a in agents.EnumerateArray())
        {
            if (a.GetProperty("name").GetString() == agent)
                return a.GetProperty("lastVerdict").GetString();
        }

        return null;
    }

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal)
            : null;
}

using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cerebro.Cli;

/// <summary>
/// <c>cerebro</c>: the operator's view of a Cerebro over its HTTP API (<c>--url</c>, or <c>CEREBRO_URL</c>, default
/// http://127.0.0.1:5080). Every command prints a table, or the API's JSON with <c>--json</c>; exit code 0 on success,
/// 1 when Cerebro refused or failed (the reason is printed), 2 on a usage error, 3 when a waited-for run failed.
/// </summary>
public static class CerebroCli
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static async Task<int> RunAsync(string[] args, HttpClient? http, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var url = new Option<string>("--url")
        {
            Description = "Cerebro's base address (default: CEREBRO_URL, else " + DefaultUrl + ")",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CEREBRO_URL") is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultUrl,
        };
        var json = new Option<bool>("--json") { Description = "print the API's JSON instead of a table", Recursive = true };
        var root = new RootCommand("cerebro: see and start what Cerebro coordinates") { url, json };

        HttpClient Client(ParseResult parse) =>
            http ?? new HttpClient { BaseAddress = new Uri(parse.GetValue(url)!.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };

        Command Listing(string name, string description, Func<ParseResult, string> path, Action<JsonElement, TextWriter> table)
        {
            var command = new Command(name, description);
            command.SetAction((parse, ct) => Guarded(error, async () =>
            {
                var document = await GetAsync(Client(parse), path(parse), ct).ConfigureAwait(false);
                Print(document, parse.GetValue(json), output, table);
                return 0;
            }));
            return command;
        }

        root.Subcommands.Add(Listing("agents", "agents: state, last heartbeat, running and queued, last verdict", _ => "api/agents", Tables.Agents));

        var taskName = new Argument<string?>("name") { Description = "one task (all if left out)", Arity = ArgumentArity.ZeroOrOne };
        var tasks = Listing("tasks", "declared tasks: agent, owner, upstreams, cron, status and why", p =>
            p.GetValue(taskName) is { } name ? $"api/tasks/{Uri.EscapeDataString(name)}" : "api/tasks", Tables.Tasks);
        tasks.Arguments.Add(taskName);
        root.Subcommands.Add(tasks);

        var runTask = new Option<string?>("--task") { Description = "only runs of this task" };
        var runStatus = new Option<string?>("--status") { Description = "pending, running, succeeded or failed" };
        var limit = new Option<int>("--limit") { Description = "how many, newest first", DefaultValueFactory = _ => 20 };
        var runs = Listing("runs", "recent runs, newest first", p =>
            $"api/runs?limit={p.GetValue(limit)}"
            + (p.GetValue(runTask) is { } t ? $"&task={Uri.EscapeDataString(t)}" : "")
            + (p.GetValue(runStatus) is { } s ? $"&status={Uri.EscapeDataString(s)}" : ""), Tables.Runs);
        runs.Options.Add(runTask);
        runs.Options.Add(runStatus);
        runs.Options.Add(limit);
        root.Subcommands.Add(runs);

        var runId = new Argument<Guid>("run-id") { Description = "the run" };
        var show = Listing("show", "one run: every task run in plan order, its state, times, what it waits for, its error", p =>
            $"api/runs/{p.GetValue(runId)}", Tables.Run);
        show.Arguments.Add(runId);
        root.Subcommands.Add(show);

        root.Subcommands.Add(Listing("schedules", "cron schedules: next run, last occurrence fired", _ => "api/schedules", Tables.Schedules));

        var ignoredRun = new Option<Guid?>("--run") { Description = "only messages about this run" };
        var ignored = Listing("ignored", "messages Cerebro did not apply or rejected, with the reason", p =>
            p.GetValue(ignoredRun) is { } id ? $"api/ignored-messages?runId={id}" : "api/ignored-messages", Tables.Ignored);
        ignored.Options.Add(ignoredRun);
        root.Subcommands.Add(ignored);

        root.Subcommands.Add(StartCommand(Client, json, output, error));

        var parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }

    private static Command StartCommand(Func<ParseResult, HttpClient> client, Option<bool> json, TextWriter output, TextWriter error)
    {
        var task = new Argument<string>("task") { Description = "the task to run (its upstreams run first)" };
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "a run parameter, name=value (value as JSON if it parses, else a string); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var wait = new Option<bool>("--wait") { Description = "wait for the run to end and show it; exit 3 if it failed" };
        var start = new Command("start", "start a run of a task (trigger cli)") { task, parameters, wait };
        start.SetAction((parse, ct) => Guarded(error, async () =>
        {
            var http = client(parse);
            var body = new
            {
                task = parse.GetValue(task),
                parameters = Parameters(parse.GetValue(parameters) ?? []),
                trigger = "cli",
                requestedBy = Environment.UserName,
            };
            using var response = await http.PostAsJsonAsync("api/runs", body, ct).ConfigureAwait(false);
            var answer = await ReadAsync(response, ct).ConfigureAwait(false);
            var id = answer.GetProperty("runId").GetGuid();
            if (!parse.GetValue(wait))
            {
                Print(answer, parse.GetValue(json), output, (a, o) => o.WriteLine($"run {id} started"));
                return 0;
            }

            var run = await WaitForEndAsync(http, id, ct).ConfigureAwait(false);
            Print(run, parse.GetValue(json), output, Tables.Run);
            return run.GetProperty("status").GetString() == "succeeded" ? 0 : 3;
        }));
        return start;
    }

    private static async Task<JsonElement> WaitForEndAsync(HttpClient http, Guid id, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var run = await GetAsync(http, $"api/runs/{id}", cancellationToken).ConfigureAwait(false);
            if (run.GetProperty("status").GetString() is "succeeded" or "failed")
                return run;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    internal static Dictionary<string, JsonElement> Parameters(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new CliUsageException($"--param '{pair}' is not name=value");
            var value = pair[(equals + 1)..];
            JsonElement element;
            try
            {
                element = JsonDocument.Parse(value).RootElement.Clone();
            }
            catch (JsonException)
            {
                element = JsonSerializer.SerializeToElement(value);
            }

            result[pair[..equals]] = element;
        }

        return result;
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
            return JsonDocument.Parse(text).RootElement.Clone();
        var detail = text;
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            detail = problem.TryGetProperty("detail", out var d) && d.GetString() is { } s ? s
                : problem.TryGetProperty("title", out var t) ? t.GetString() ?? text : text;
        }
        catch (JsonException)
        {
        }

        throw new CerebroRefusedException($"Cerebro answered {(int)response.StatusCode} ({response.StatusCode}): {detail}");
    }

    private static void Print(JsonElement document, bool asJson, TextWriter output, Action<JsonElement, TextWriter> table)
    {
        if (asJson)
            output.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        else
            table(document, output);
    }

    private static async Task<int> Guarded(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CliUsageException ex)
        {
            await error.WriteLineAsync($"cerebro: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (CerebroRefusedException ex)
        {
            await error.WriteLineAsync($"cerebro: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"cerebro: cannot reach Cerebro: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}

internal sealed class CliUsageException(string message) : Exception(message);

internal sealed class CerebroRefusedException(string message) : Exception(message);

using System.Text.Json;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Counts the SQL commands Cerebro's EF Core executes, from its console log in JSON form (event 20101,
/// "Executed DbCommand"), by the first verb of the command. One command is one round trip; a SaveChanges that batches
/// several statements counts once under its first verb, its statements are counted apart.
/// </summary>
public sealed class SqlCounter
{
    private readonly Dictionary<string, long> _commands = new(StringComparer.Ordinal);
    private long _statements;

    public void Observe(string line)
    {
        if (!line.Contains("\"EventId\":20101", StringComparison.Ordinal))
            return;
        string? text = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty("State", out var state) && state.TryGetProperty("commandText", out var command))
                text = command.GetString();
        }
        catch (JsonException)
        {
            return;
        }

        var trimmed = (text ?? "").TrimStart();
        var verb = trimmed.Split((char[])[' ', '\n', '\r', '\t'], 2)[0].ToUpperInvariant();
        verb = verb is "SELECT" or "INSERT" or "UPDATE" or "DELETE" ? verb : "other";
        var statements = Math.Max(1, trimmed.Split(";\n", StringSplitOptions.RemoveEmptyEntries).Count(s => s.Trim().Length > 1));
        lock (_commands)
        {
            _commands[verb] = _commands.GetValueOrDefault(verb) + 1;
            _statements += statements;
        }
    }

    public (Dictionary<string, long> Commands, long Statements) Snapshot()
    {
        lock (_commands)
            return (new Dictionary<string, long>(_commands, StringComparer.Ordinal), _statements);
    }
}

using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Worker.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cerebro.Worker;

/// <summary>What a task handler knows about the task run it executes. Handlers may also build one in their tests.</summary>
public sealed class TaskContext
{
    /// <summary>The task run: one task in one run.</summary>
    public required Guid TaskRunId { get; init; }

    /// <summary>The run the task run belongs to.</summary>
    public required Guid RunId { get; init; }

    /// <summary>The task's name.</summary>
    public required string Task { get; init; }

    /// <summary>The attempt, starting at 1.</summary>
    public required int Attempt { get; init; }

    /// <summary>The name of the agent executing the task.</summary>
    public required string Agent { get; init; }

    /// <summary>When Cerebro sent the invoke.</summary>
    public DateTimeOffset InvokedAt { get; init; }

    /// <summary>The run's parameters, as sent by Cerebro; names are passed through unchanged.</summary>
    public IReadOnlyDictionary<string, JsonElement> Parameters { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>A logger for the handler, scoped with the task run's ids.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>The services of a dependency-injection scope created for this execution and disposed after it.</summary>
    public IServiceProvider Services { get; init; } = EmptyServiceProvider.Instance;

    /// <summary>Whether the run has a parameter of this name (a JSON <c>null</c> counts as absent).</summary>
    /// <param name="name">The parameter's name, matched exactly.</param>
    /// <returns>True when present and not null.</returns>
    public bool HasParameter(string name) =>
        Parameters.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    /// <summary>
    /// Reads a parameter as <typeparamref name="T"/> (JSON converted with the wire's settings: camelCase, numbers may
    /// be strings), or returns <paramref name="defaultValue"/> when it is absent or <c>null</c>.
    /// </summary>
    /// <typeparam name="T">The type to convert the JSON value to.</typeparam>
    /// <param name="name">The parameter's name, matched exactly.</param>
    /// <param name="defaultValue">The value when the parameter is absent.</param>
    /// <returns>The converted value, or the default.</returns>
    /// <exception cref="TaskFailedException">The value cannot be converted; failing the task run with a clear error.</exception>
    public T? GetParameter<T>(string name, T? defaultValue = default)
    {
        if (!HasParameter(name))
            return defaultValue;

        var value = Parameters[name];
        try
        {
            return value.Deserialize<T>(WireJson.Options);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new TaskFailedException(
                $"{Task}: run parameter '{name}' is not a valid {typeof(T).Name}: {value.GetRawText()}", "InvalidParameter", ex);
        }
    }
}

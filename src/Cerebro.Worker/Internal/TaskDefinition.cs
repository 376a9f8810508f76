using System.Globalization;
using Cerebro.Contracts;

namespace Cerebro.Worker.Internal;

/// <summary>A registered task: its declaration as sent in <c>server.ready</c>, and its handler.</summary>
internal sealed class TaskDefinition
{
    private readonly List<UpstreamDeclaration> _upstreams = [];

    public TaskDefinition(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public string? Owner { get; set; }

    public string? Description { get; set; }

    public string? Cron { get; set; }

    public double? AckSeconds { get; set; }

    public double? StartSeconds { get; set; }

    public double? CompleteSeconds { get; set; }

    public IReadOnlyList<UpstreamDeclaration> Upstreams => _upstreams;

    public TaskHandler? Handler { get; set; }

    public void AddUpstream(string task, double? freshWithinSeconds) =>
        _upstreams.Add(new UpstreamDeclaration { Task = task, FreshWithinSeconds = freshWithinSeconds });

    /// <summary>Checks what the worker can check itself, so a mistake fails at registration, not in Cerebro's verdict.</summary>
    public void Validate()
    {
        if (!Names.IsValidTask(Name))
            throw new TaskDefinitionException(
                $"task name '{Name}' is invalid: it must match ^[a-z0-9][a-z0-9._-]{{0,127}}$ (lower case, digits, '.', '_', '-')");
        if (!Names.IsValidOwner(Owner))
            throw new TaskDefinitionException($"task '{Name}' needs an owner team of 1 to {Names.MaxOwnerLength} characters");
        if (Handler is null)
            throw new TaskDefinitionException($"task '{Name}' has no handler");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var upstream in _upstreams)
        {
            if (!Names.IsValidTask(upstream.Task))
                throw new TaskDefinitionException($"task '{Name}': upstream name '{upstream.Task}' is invalid");
            if (upstream.Task == Name)
                throw new TaskDefinitionException($"task '{Name}' cannot depend on itself");
            if (!seen.Add(upstream.Task))
                throw new TaskDefinitionException($"task '{Name}' depends on '{upstream.Task}' twice");
            if (upstream.FreshWithinSeconds is { } fresh && (fresh < 0 || double.IsNaN(fresh) || double.IsInfinity(fresh)))
                throw new TaskDefinitionException($"task '{Name}': freshness of upstream '{upstream.Task}' must be 0 or more seconds");
        }

        if (Cron is not null)
        {
            var fields = Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            if (fields is not (5 or 6))
                throw new TaskDefinitionException(
                    $"task '{Name}': cron '{Cron}' must have 5 fields, or 6 with seconds first (it has {fields.ToString(CultureInfo.InvariantCulture)})");
        }

        CheckTimeout(AckSeconds, "ack");
        CheckTimeout(StartSeconds, "start");
        CheckTimeout(CompleteSeconds, "complete");
    }

    public TaskDeclaration ToDeclaration(TaskTimeoutOptions? overrides)
    {
        var ack = overrides?.AckSeconds ?? AckSeconds;
        var start = overrides?.StartSeconds ?? StartSeconds;
        var complete = overrides?.CompleteSeconds ?? CompleteSeconds;
        return new TaskDeclaration
        {
            Name = Name,
            Owner = Owner!,
            Description = Description,
            Upstreams = [.. _upstreams],
            Cron = Cron,
            Timeouts = ack is null && start is null && complete is null
                ? null
                : new TaskTimeouts { AckSeconds = ack, StartSeconds = start, CompleteSeconds = complete },
        };
    }

    private void CheckTimeout(double? seconds, string which)
    {
        if (seconds is { } value && (value <= 0 || double.IsNaN(value) || double.IsInfinity(value)))
            throw new TaskDefinitionException($"task '{Name}': the {which} timeout must be more than 0 seconds");
    }
}

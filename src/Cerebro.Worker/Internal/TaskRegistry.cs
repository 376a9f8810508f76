namespace Cerebro.Worker.Internal;

/// <summary>The tasks of one worker, by name. Written while services are registered, read-only once the host runs.</summary>
internal sealed class TaskRegistry
{
    private readonly Dictionary<string, TaskDefinition> _tasks = new(StringComparer.Ordinal);
    private readonly List<TaskDefinition> _ordered = [];

    public IReadOnlyList<TaskDefinition> All => _ordered;

    public void Add(TaskDefinition definition)
    {
        definition.Validate();
        if (!_tasks.TryAdd(definition.Name, definition))
            throw new DuplicateTaskException(definition.Name);
        _ordered.Add(definition);
    }

    public TaskDefinition? Find(string task) => _tasks.GetValueOrDefault(task);
}

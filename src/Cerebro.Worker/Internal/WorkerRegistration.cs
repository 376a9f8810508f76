namespace Cerebro.Worker.Internal;

/// <summary>One <c>AddCerebroWorker</c> call: its options name and its tasks.</summary>
internal sealed class WorkerRegistration
{
    public WorkerRegistration(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public TaskRegistry Tasks { get; } = new();
}

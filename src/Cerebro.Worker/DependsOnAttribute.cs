namespace Cerebro.Worker;

/// <summary>An upstream of a <see cref="CerebroTaskAttribute"/> task that must run first, in the same run.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class DependsOnAttribute : Attribute
{
    /// <summary>Declares the upstream.</summary>
    /// <param name="task">The upstream task name.</param>
    public DependsOnAttribute(string task)
    {
        Task = task;
    }

    /// <summary>The upstream task name.</summary>
    public string Task { get; }
}

namespace Cerebro.Worker;

/// <summary>
/// Marks a method as a Cerebro task, registered by <c>AddTasks&lt;T&gt;()</c>. The task name is
/// <see cref="Name"/> when given; otherwise the method name without a trailing <c>Async</c>, lower-cased
/// (<c>ExtractOrdersAsync</c> becomes <c>extractorders</c>): give a name for anything else, such as kebab-case.
/// </summary>
/// <remarks>
/// The method may be static or an instance method (the class is created per execution from the execution's
/// service scope). Its parameters may be <see cref="TaskContext"/>, <see cref="CancellationToken"/> or services;
/// it may return nothing, a result, or a <see cref="Task"/>/<see cref="ValueTask"/> of either. The result is sent as
/// the JSON result of <c>task.completed</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CerebroTaskAttribute : Attribute
{
    /// <summary>Marks a task named after the method.</summary>
    public CerebroTaskAttribute()
    {
    }

    /// <summary>Marks a task with an explicit name.</summary>
    /// <param name="name">The task name, <c>^[a-z0-9][a-z0-9._-]{0,127}$</c>.</param>
    public CerebroTaskAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The task name, or null to derive it from the method name.</summary>
    public string? Name { get; }

    /// <summary>The owner team (required).</summary>
    public string? Owner { get; set; }

    /// <summary>Free text for operators.</summary>
    public string? Description { get; set; }

    /// <summary>An optional cron schedule in UTC.</summary>
    public string? Cron { get; set; }

    /// <summary>Ack timeout override in seconds; 0 keeps Cerebro's value.</summary>
    public double AckTimeoutSeconds { get; set; }

    /// <summary>Start timeout override in seconds; 0 keeps Cerebro's value.</summary>
    public double StartTimeoutSeconds { get; set; }

    /// <summary>Complete timeout override in seconds; 0 keeps Cerebro's value.</summary>
    public double CompleteTimeoutSeconds { get; set; }
}

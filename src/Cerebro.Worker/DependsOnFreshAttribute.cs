namespace Cerebro.Worker;

/// <summary>
/// An upstream of a <see cref="CerebroTaskAttribute"/> task whose earlier success is reused when it finished at most
/// <see cref="Seconds"/> before the run was planned; otherwise it runs first.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class DependsOnFreshAttribute : Attribute
{
    /// <summary>Declares the upstream.</summary>
    /// <param name="task">The upstream task name.</param>
    /// <param name="seconds">How fresh a reused success must be, in seconds.</param>
    public DependsOnFreshAttribute(string task, double seconds)
    {
        Task = task;
        Seconds = seconds;
    }

    /// <summary>The upstream task name.</summary>
    public string Task { get; }

    /// <summary>How fresh a reused success must be, in seconds.</summary>
    public double Seconds { get; }
}

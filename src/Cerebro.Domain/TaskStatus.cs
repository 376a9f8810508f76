namespace Cerebro.Domain;

/// <summary>
/// Whether an accepted task can be run now. (Under ImplicitUsings this name collides with
/// <see cref="System.Threading.Tasks.TaskStatus"/> outside this namespace: alias it there.)
/// </summary>
public enum TaskStatus
{
    /// <summary>The task and everything it depends on are declared: it can be planned.</summary>
    Runnable,

    /// <summary>An upstream, or an upstream of an upstream, is not declared by any agent: it cannot be planned yet.</summary>
    Unresolved,
}

namespace Cerebro.Worker;

/// <summary>
/// Configures one worker added by <c>AddCerebroWorker</c>; tasks and the transport are added with extension methods
/// (<c>AddTask</c>, <c>AddTasks&lt;T&gt;</c>, <c>UseRabbitMq</c>, <c>UseHostBus</c>).
/// </summary>
public interface ICerebroWorkerBuilder
{
    /// <summary>The application's services.</summary>
    Microsoft.Extensions.DependencyInjection.IServiceCollection Services { get; }

    /// <summary>
    /// The name of this worker's <see cref="CerebroWorkerOptions"/> instance: empty (the default options) for the
    /// first worker of an application, <c>cerebro-worker-2</c>, <c>-3</c>... for more. Read them with
    /// <c>IOptionsMonitor&lt;CerebroWorkerOptions&gt;.Get(Name)</c>.
    /// </summary>
    string Name { get; }
}

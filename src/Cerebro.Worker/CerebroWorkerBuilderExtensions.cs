using Cerebro.Worker;
using Cerebro.Worker.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The features of a Cerebro worker: its tasks and its transport.</summary>
public static class CerebroWorkerBuilderExtensions
{
    /// <summary>
    /// Adds a task whose handler returns a result, sent as the JSON <c>result</c> of <c>task.completed</c>
    /// (serialized with System.Text.Json, camelCase; null means no result).
    /// </summary>
    /// <param name="builder">The worker.</param>
    /// <param name="name">The task name, unique across all agents: <c>^[a-z0-9][a-z0-9._-]{0,127}$</c>.</param>
    /// <param name="configure">Describes the task; an owner is required.</param>
    /// <param name="handler">Runs the task. Throw <see cref="TaskFailedException"/> to fail with an exact description.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="DuplicateTaskException">The worker already has a task of that name.</exception>
    /// <exception cref="TaskDefinitionException">The name, owner, upstreams, cron or timeouts are invalid.</exception>
    public static ICerebroWorkerBuilder AddTask(this ICerebroWorkerBuilder builder, string name,
        Action<CerebroTaskBuilder> configure, Func<TaskContext, CancellationToken, Task<object?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(builder, name, configure, (context, cancellationToken) => handler(context, cancellationToken));
    }

    /// <summary>Adds a task whose handler returns no result.</summary>
    /// <param name="builder">The worker.</param>
    /// <param name="name">The task name, unique across all agents: <c>^[a-z0-9][a-z0-9._-]{0,127}$</c>.</param>
    /// <param name="configure">Describes the task; an owner is required.</param>
    /// <param name="handler">Runs the task. Throw <see cref="TaskFailedException"/> to fail with an exact description.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="DuplicateTaskException">The worker already has a task of that name.</exception>
    /// <exception cref="TaskDefinitionException">The name, owner, upstreams, cron or timeouts are invalid.</exception>
    public static ICerebroWorkerBuilder AddTask(this ICerebroWorkerBuilder builder, string name,
        Action<CerebroTaskBuilder> configure, Func<TaskContext, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(builder, name, configure, async (context, cancellationToken) =>
        {
            await handler(context, cancellationToken).ConfigureAwait(false);
            return null;
        });
    }

    /// <summary>
    /// Adds every method of <typeparamref name="T"/> marked <see cref="CerebroTaskAttribute"/> as a task. Instance
    /// methods run on an instance resolved from (or, if not registered, created with) the execution's service scope.
    /// </summary>
    /// <typeparam name="T">The class declaring the tasks.</typeparam>
    /// <param name="builder">The worker.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="DuplicateTaskException">The worker already has a task of one of the names.</exception>
    /// <exception cref="TaskDefinitionException">A task is invalid, or <typeparamref name="T"/> declares none.</exception>
    public static ICerebroWorkerBuilder AddTasks<T>(this ICerebroWorkerBuilder builder)
        where T : class
    {
        var registry = CerebroWorkerBuilder.RegistrationOf(builder).Tasks;
        foreach (var definition in AttributeTasks.From(typeof(T)))
            registry.Add(definition);
        return builder;
    }

    /// <summary>
    /// Connects the worker to RabbitMQ with a MassTransit bus of its own, created, started and stopped by the worker
    /// (separate from any MassTransit registration of the application). It consumes the queue
    /// <c>cerebro.agent.&lt;agent&gt;</c> and publishes to the topic exchange <c>cerebro.events</c>, routing key
    /// <c>&lt;agent&gt;.&lt;cerebro-type&gt;</c>.
    /// </summary>
    /// <param name="builder">The worker.</param>
    /// <param name="uri">
    /// The AMQP URI with credentials and virtual host (<c>amqp://user:password@host:5672/vhost</c>); null keeps
    /// <see cref="CerebroWorkerOptions.RabbitMqUri"/> or the connection string <c>ConnectionStrings:RabbitMq</c>.
    /// </param>
    /// <returns>The builder.</returns>
    public static ICerebroWorkerBuilder UseRabbitMq(this ICerebroWorkerBuilder builder, string? uri = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<CerebroWorkerOptions>(builder.Name).Configure(o =>
        {
            o.Transport = CerebroTransport.RabbitMq;
            if (uri is not null)
                o.RabbitMqUri = uri;
        });
        return builder;
    }

    /// <summary>
    /// Uses the application's own MassTransit bus (<c>AddMassTransit</c>), for instance an in-memory bus shared with
    /// Cerebro in one process: the worker connects its receive endpoint <c>cerebro.agent.&lt;agent&gt;</c> to that bus
    /// once the host has started, and sends its events to the queue <c>cerebro.agent-events</c>.
    /// </summary>
    /// <param name="builder">The worker.</param>
    /// <returns>The builder.</returns>
    public static ICerebroWorkerBuilder UseHostBus(this ICerebroWorkerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<CerebroWorkerOptions>(builder.Name).Configure(o => o.Transport = CerebroTransport.HostBus);
        return builder;
    }

    private static ICerebroWorkerBuilder Add(ICerebroWorkerBuilder builder, string name, Action<CerebroTaskBuilder> configure, TaskHandler handler)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        var registry = CerebroWorkerBuilder.RegistrationOf(builder).Tasks;
        var task = new CerebroTaskBuilder(name);
        configure(task);
        task.Definition.Handler = handler;
        registry.Add(task.Definition);
        return builder;
    }
}

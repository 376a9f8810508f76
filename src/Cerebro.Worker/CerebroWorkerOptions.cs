namespace Cerebro.Worker;

/// <summary>
/// Settings of one Cerebro worker (agent). Bound from the configuration section <see cref="SectionName"/>
/// (environment variables <c>Cerebro__Worker__MaxConcurrency</c> and so on), then changed by the delegate given to
/// <c>AddCerebroWorker</c>, and validated when the host starts.
/// </summary>
public sealed class CerebroWorkerOptions
{
    /// <summary>The configuration section the options are bound from: <c>Cerebro:Worker</c>.</summary>
    public const string SectionName = "Cerebro:Worker";

    /// <summary>The connection string name used when <see cref="RabbitMqUri"/> is not set: <c>ConnectionStrings:RabbitMq</c>.</summary>
    public const string ConnectionStringName = "RabbitMq";

    /// <summary>
    /// The agent's name, unique among the agents of one Cerebro: <c>^[a-z0-9][a-z0-9-]{0,62}$</c>. It names the
    /// queue <c>cerebro.agent.&lt;agent&gt;</c> the worker consumes and prefixes the routing key of what it sends.
    /// </summary>
    public string Agent { get; set; } = string.Empty;

    /// <summary>How many task handlers run at once; further invokes are reported <c>task.queued</c>. Default 1.</summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>
    /// How many invokes the worker holds, unacknowledged, waiting for a free slot (default 100). Invokes beyond
    /// that stay in the broker unanswered until a slot frees, and may run into Cerebro's ack timeout.
    /// </summary>
    public int MaxQueued { get; set; } = 100;

    /// <summary>How often the worker sends <c>server.heartbeat</c>. Default 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the worker sends <c>server.ready</c> again while Cerebro has not answered it (Cerebro may have been
    /// down). Default 30 s.
    /// </summary>
    public TimeSpan DeclarationRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long shutdown waits for running handlers before cancelling them; cancelled handlers are reported
    /// <c>task.failed</c> ("agent stopping"). Default 30 s. The host's shutdown timeout is raised to fit.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The transport; set by <c>UseRabbitMq</c> or <c>UseHostBus</c>, or bound from configuration.</summary>
    public CerebroTransport Transport { get; set; }

    /// <summary>
    /// The broker for <see cref="CerebroTransport.RabbitMq"/>: an AMQP URI with credentials and virtual host, such as
    /// <c>amqp://guest:guest@127.0.0.1:5672/</c>. When not set, the connection string <c>ConnectionStrings:RabbitMq</c>.
    /// </summary>
    public string? RabbitMqUri { get; set; }

    /// <summary>The agent software's version, sent in <c>server.ready</c>; the entry assembly's version when not set.</summary>
    public string? Version { get; set; }

    /// <summary>Per-task timeout overrides, keyed by task name; they win over the registered timeouts.</summary>
    public Dictionary<string, TaskTimeoutOptions> Timeouts { get; set; } = new(StringComparer.Ordinal);
}

using System.Globalization;
using System.Text.Json;
using Cerebro.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cerebro.TaskServers;

/// <summary>
/// What the demo task servers share, compiled into each of them (linked, not a library of its own).
/// </summary>
/// <remarks>
/// Environment of a demo agent process:
/// <list type="bullet">
/// <item><c>ConnectionStrings__RabbitMq</c>: the AMQP URI, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>.</item>
/// <item><c>CEREBRO_MAX_CONCURRENCY</c>: tasks run at once (default 1); same as <c>Cerebro__Worker__MaxConcurrency</c>.</item>
/// <item><c>CEREBRO_TASK_DURATION_MS</c>: how long a task works when the run has no <c>durationMs</c> parameter (default 200).</item>
/// <item><c>Cerebro__Worker__Timeouts__&lt;task&gt;__AckSeconds</c> / <c>StartSeconds</c> / <c>CompleteSeconds</c>: declared timeouts.</item>
/// <item>Any other <c>Cerebro__Worker__*</c> option, e.g. <c>Cerebro__Worker__HeartbeatInterval=00:00:01</c>, <c>Cerebro__Worker__DrainTimeout=00:00:10</c>.</item>
/// </list>
/// Each handler execution writes <c>EXECUTED &lt;task&gt; &lt;taskRunId&gt; &lt;attempt&gt;</c> to stdout.
/// </remarks>
internal static class DemoAgent
{
    public const string DurationParameter = "durationMs";
    public const string FailParameter = "fail";
    public const string HoldParameter = "holdUntilFile";
    private static readonly TimeSpan HoldPollInterval = TimeSpan.FromMilliseconds(50);
    private const int DefaultDurationMs = 200;

    /// <summary>A demo agent on RabbitMQ, its name and concurrency taken from the environment when set.</summary>
    public static ICerebroWorkerBuilder AddDemoAgent(this HostApplicationBuilder builder, string agent)
    {
        // Leave the drain timeout room inside the host's shutdown timeout.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        return builder.Services.AddCerebroWorker(o => Configure(o, agent)).UseRabbitMq();
    }

    /// <summary>The agent name unless configured otherwise, and <c>CEREBRO_MAX_CONCURRENCY</c>.</summary>
    public static void Configure(CerebroWorkerOptions options, string agent)
    {
        if (string.IsNullOrEmpty(options.Agent))
            options.Agent = agent;
        if (int.TryParse(Environment.GetEnvironmentVariable("CEREBRO_MAX_CONCURRENCY"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var max))
            options.MaxConcurrency = max;
    }

    /// <summary>
    /// The work of every demo task: wait <c>durationMs</c>, then, if the run has a <c>holdUntilFile</c> parameter (a
    /// path on the agent's host), wait until that file exists; then fail if the run's <c>fail</c> parameter (a JSON
    /// array of task names) lists this task.
    /// </summary>
    /// <remarks>The hold lets a test or a demo keep task runs working for exactly as long as it needs, whatever the load.</remarks>
    public static async Task<object?> WorkAsync(TaskContext context, CancellationToken cancellationToken)
    {
        Console.Out.WriteLine($"EXECUTED {context.Task} {context.TaskRunId} {context.Attempt}");
        Console.Out.Flush();

        var durationMs = context.GetParameter<int?>(DurationParameter) ?? DefaultDuration();
        if (durationMs > 0)
            await Task.Delay(durationMs, cancellationToken).ConfigureAwait(false);

        var holdFile = context.GetParameter<string?>(HoldParameter);
        while (!string.IsNullOrEmpty(holdFile) && !File.Exists(holdFile))
            await Task.Delay(HoldPollInterval, cancellationToken).ConfigureAwait(false);

        if (FailList(context).Contains(context.Task, StringComparer.Ordinal))
            throw new TaskFailedException($"{context.Task} failed on request (parameter '{FailParameter}')", "RequestedFailure");

        return new { task = context.Task, durationMs, finishedAt = DateTimeOffset.UtcNow };
    }

    private static int DefaultDuration() =>
        int.TryParse(Environment.GetEnvironmentVariable("CEREBRO_TASK_DURATION_MS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms >= 0
            ? ms
            : DefaultDurationMs;

    private static IReadOnlyList<string> FailList(TaskContext context)
    {
        if (!context.HasParameter(FailParameter))
            return [];
        var value = context.Parameters[FailParameter];
        return value.ValueKind == JsonValueKind.String
            ? [value.GetString()!]
            : context.GetParameter<string[]>(FailParameter) ?? [];
    }
}

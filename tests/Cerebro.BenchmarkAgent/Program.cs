using System.Diagnostics;
using System.Globalization;
using Cerebro.BenchmarkAgent;
using Cerebro.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var settings = AgentSettings.From(args);
using var log = new TimestampLog(settings.OutputPath);
using var probe = new ReceiveProbe(log);
var handlers = new BenchHandlers(probe, log);

var builder = Host.CreateApplicationBuilder(args);
// The SDK logs every completed task at Information: console output is not what this agent is here to measure.
builder.Logging.AddFilter("Cerebro.Worker", LogLevel.Warning);
builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
var worker = builder.Services.AddCerebroWorker(o =>
{
    o.Agent = settings.Agent;
    o.MaxConcurrency = settings.MaxConcurrency;
    // A big declaration may take Cerebro longer than the default 30 s; a second server.ready would only measure itself.
    o.DeclarationRetryInterval = TimeSpan.FromMinutes(5);
}).UseRabbitMq();

var declared = 0;
foreach (var shape in settings.Shapes)
{
    foreach (var task in shape.Tasks())
    {
        Func<TaskContext, CancellationToken, Task<object?>> handler =
            shape.Holds && task.Name != shape.JoinName ? handlers.HoldAsync : handlers.NoOpAsync;
        worker.AddTask(task.Name, t => t.Owner("bench").DependsOn([.. task.Upstreams]), handler);
        declared++;
    }
}

using var host = builder.Build();
var status = host.Services.GetRequiredService<ICerebroWorkerStatus>();
_ = status.Ready.ContinueWith(_ => log.Write($"READY-SENT {Stopwatch.GetTimestamp()}"), TaskScheduler.Default);
_ = status.FirstVerdict.ContinueWith(t =>
{
    var now = Stopwatch.GetTimestamp();
    var line = t.IsCompletedSuccessfully
        ? string.Create(CultureInfo.InvariantCulture,
            $"VERDICT {now} {(t.Result.IsRejected ? "rejected" : "accepted")} {t.Result.Accepted.Count} {t.Result.Refused.Count} {t.Result.Unresolved.Count}")
        : $"VERDICT {now} failed 0 0 0";
    log.Write(line);
    Console.WriteLine(line);
}, TaskScheduler.Default);

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"bench agent {settings.Agent}: {declared} tasks ({string.Join(", ", settings.Shapes.Select(s => s.Spec))}), max concurrency {settings.MaxConcurrency}, timestamps in {settings.OutputPath}"));
await host.RunAsync().ConfigureAwait(false);

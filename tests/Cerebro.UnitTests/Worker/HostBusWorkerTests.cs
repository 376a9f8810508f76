using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Worker;
using Cerebro.Worker.Internal;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using CerebroHeaders = Cerebro.Contracts.Headers;

namespace Cerebro.UnitTests.Worker;

/// <summary>
/// UseHostBus on an in-memory MassTransit bus, as in the one-process demo: the worker's endpoint joins the
/// application's bus and its events arrive, as raw JSON with the protocol headers, on cerebro.agent-events.
/// </summary>
public sealed class HostBusWorkerTests
{
    private const string Agent = "memory-agent";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task HostBus_Worker_DeclaresRunsAndStops_OverTheApplicationsInMemoryBus()
    {
        var inbox = new Inbox();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();

        // Registered before AddMassTransit on purpose: the worker must not depend on the order of hosted services.
        builder.Services.AddCerebroWorker(o => o.Agent = Agent).UseHostBus()
            .AddTask("echo", t => t.Owner("team-memory"), (context, _) => Task.FromResult<object?>(new { echoed = context.GetParameter<string>("value") }));
        builder.Services.AddMassTransit(x => x.UsingInMemory((_, cfg) => cfg.ReceiveEndpoint(Topology.AgentEventsQueue, e =>
        {
            e.ConfigureConsumeTopology = false;
            e.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
            e.Handler<AnyBody>(context =>
            {
                inbox.Add(new Received(
                    context.Headers.Get<string>(CerebroHeaders.Type)!,
                    context.Headers.Get<string>(CerebroHeaders.Sender)!,
                    context.ReceiveContext.ContentType?.MediaType,
                    JsonDocument.Parse(context.ReceiveContext.Body.GetBytes()).RootElement.Clone()));
                return Task.CompletedTask;
            });
        })));

        using var host = builder.Build();
        await host.StartAsync();
        var status = host.Services.GetRequiredService<ICerebroWorkerStatus>();
        await status.Ready.WaitAsync(Wait);

        var ready = await inbox.WaitForAsync(MessageTypes.ServerReady);
        Assert.Equal(Agent, ready.Sender);
        Assert.Equal("application/json", ready.ContentType);
        Assert.Equal(status.Instance, ready.Body.GetProperty("instance").GetGuid());
        Assert.Equal("echo", ready.Body.GetProperty("tasks")[0].GetProperty("name").GetString());

        var invoke = new InvokeTask
        {
            TaskRunId = Guid.NewGuid(),
            RunId = Guid.NewGuid(),
            Task = "echo",
            Attempt = 1,
            Parameters = new Dictionary<string, JsonElement> { ["value"] = JsonSerializer.SerializeToElement("in memory") },
            InvokedAt = DateTimeOffset.UtcNow,
            AckTimeoutSeconds = 10,
        };
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{Topology.AgentQueue(Agent)}"));
        await endpoint.Send(invoke, context =>
        {
            context.Serializer = new SystemTextJsonRawMessageSerializer(RawSerializerOptions.AnyMessageType);
            context.Headers.Set(CerebroHeaders.Type, MessageTypes.InvokeTask);
            context.Headers.Set(CerebroHeaders.Sender, Topology.CerebroSender);
            context.Headers.Set(CerebroHeaders.ProtocolVersion, Cerebro.Contracts.Protocol.Version);
        });

        await inbox.WaitForAsync(MessageTypes.TaskStarted);
        var completed = await inbox.WaitForAsync(MessageTypes.TaskCompleted);
        Assert.Equal(invoke.TaskRunId, completed.Body.GetProperty("taskRunId").GetGuid());
        Assert.Equal("in memory", completed.Body.GetProperty("result").GetProperty("echoed").GetString());

        // The worker's shutdown step on its own: stopping the whole host would also stop the in-memory endpoint
        // that is to receive server.stopping, and drop it if the bus stops first.
        var worker = host.Services.GetServices<IHostedService>().OfType<CerebroWorkerService>().Single();
        await worker.StoppingAsync(CancellationToken.None);
        var stopping = await inbox.WaitForAsync(MessageTypes.ServerStopping);
        Assert.Equal(status.Instance, stopping.Body.GetProperty("instance").GetGuid());
        await host.StopAsync();
    }

    private sealed record Received(string Type, string Sender, string? ContentType, JsonElement Body);

    /// <summary>Any raw JSON body; the test reads the headers and bytes itself.</summary>
    private sealed class AnyBody;

    private sealed class Inbox
    {
        private readonly Lock _lock = new();
        private readonly List<Received> _received = [];
        private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(Received received)
        {
            lock (_lock)
            {
                _received.Add(received);
                var arrived = _arrived;
                _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrived.TrySetResult();
            }
        }

        public async Task<Received> WaitForAsync(string type)
        {
            var deadline = DateTime.UtcNow + Wait;
            while (true)
            {
                Task arrived;
                lock (_lock)
                {
                    if (_received.FirstOrDefault(r => r.Type == type) is { } found)
                        return found;
                    arrived = _arrived.Task;
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                    throw new TimeoutException($"no {type} within {Wait}; got {string.Join(", ", _received.Select(r => r.Type))}");
                await Task.WhenAny(arrived, Task.Delay(left));
            }
        }
    }
}

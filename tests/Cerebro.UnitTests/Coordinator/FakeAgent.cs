using System.Text;
using System.Text.Json;
using Cerebro.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using CerebroHeaders = Cerebro.Contracts.Headers;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// An agent that speaks the wire protocol by hand on the coordinator's in-memory bus: it sends raw JSON with the
/// protocol headers to <c>cerebro.agent-events</c> and records what Cerebro sends to <c>cerebro.agent.&lt;name&gt;</c>.
/// It never answers on its own: each test decides what the agent says and when.
/// </summary>
public sealed class FakeAgent
{
    private static readonly Uri AgentEvents = new($"queue:{Topology.AgentEventsQueue}");

    private readonly IBus _bus;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private readonly List<ReceivedMessage> _received = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HostReceiveEndpointHandle? _endpoint;

    private FakeAgent(string name, IBus bus, TimeProvider clock)
    {
        Name = name;
        _bus = bus;
        _clock = clock;
    }

    public string Name { get; }

    public Guid Instance { get; } = Guid.NewGuid();

    public IReadOnlyList<ReceivedMessage> Received
    {
        get
        {
            lock (_lock)
                return [.. _received];
        }
    }

    public static async Task<FakeAgent> ConnectAsync(IServiceProvider services, string name)
    {
        var agent = new FakeAgent(name, services.GetRequiredService<IBus>(), services.GetRequiredService<TimeProvider>());
        var connector = services.GetRequiredService<IReceiveEndpointConnector>();
        agent._endpoint = connector.ConnectReceiveEndpoint(Topology.AgentQueue(name), (_, endpoint) =>
        {
            endpoint.ConfigureConsumeTopology = false;
            endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
            endpoint.Handler<AgentWireMessage>(context =>
            {
                agent.Record(context);
                return Task.CompletedTask;
            });
        });
        await agent._endpoint.Ready.WaitAsync(Eventually.DefaultTimeout);
        return agent;
    }

    public async Task StopAsync()
    {
        if (_endpoint is not null)
            await _endpoint.StopAsync(CancellationToken.None);
    }

    /// <summary>Sends server.ready with <paramref name="tasks"/> and returns Cerebro's verdict on exactly this declaration.</summary>
    public async Task<ReceivedMessage> DeclareAsync(params TaskDeclaration[] tasks)
    {
        var after = LastSequence();
        await SendAsync(MessageTypes.ServerReady, new ServerReady
        {
            Agent = Name,
            Instance = Instance,
            Version = "1.0.0-test",
            MaxConcurrency = 4,
            Tasks = tasks,
            SentAt = _clock.GetUtcNow(),
        });
        return await WaitForAsync(
            m => m.Sequence > after && m.Type is MessageTypes.DeclarationAccepted or MessageTypes.DeclarationRejected,
            $"a declaration verdict for {Name}");
    }

    public async Task<InvokeTask> WaitForInvokeAsync(string task, Guid runId) =>
        (await WaitForAsync(m => IsInvoke(m, runId, task), $"task.invoke of '{task}' in run {runId} to {Name}")).Read<InvokeTask>();

    public IReadOnlyList<InvokeTask> Invokes(Guid runId, string? task = null) =>
        Received.Where(m => IsInvoke(m, runId, task)).Select(m => m.Read<InvokeTask>()).ToList();

    public Task<Guid> QueuedAsync(InvokeTask invoke, DateTimeOffset? at = null) =>
        SendAsync(MessageTypes.TaskQueued, new TaskQueued
        {
            TaskRunId = invoke.TaskRunId,
            RunId = invoke.RunId,
            Task = invoke.Task,
            Attempt = invoke.Attempt,
            Agent = Name,
            At = at ?? _clock.GetUtcNow(),
        });

    public Task<Guid> StartedAsync(InvokeTask invoke, DateTimeOffset? at = null) =>
        SendAsync(MessageTypes.TaskStarted, new TaskStarted
        {
            TaskRunId = invoke.TaskRunId,
            RunId = invoke.RunId,
            Task = invoke.Task,
            Attempt = invoke.Attempt,
            Agent = Name,
            At = at ?? _clock.GetUtcNow(),
        });

    public Task<Guid> CompletedAsync(InvokeTask invoke, object? result = null, DateTimeOffset? at = null) =>
        SendAsync(MessageTypes.TaskCompleted, new TaskCompleted
        {
            TaskRunId = invoke.TaskRunId,
            RunId = invoke.RunId,
            Task = invoke.Task,
            Attempt = invoke.Attempt,
            Agent = Name,
            At = at ?? _clock.GetUtcNow(),
            Result = result is null ? null : JsonSerializer.SerializeToElement(result, WireJson.Options),
        });

    public Task<Guid> FailedAsync(InvokeTask invoke, string error, DateTimeOffset? at = null) =>
        SendAsync(MessageTypes.TaskFailed, new TaskFailed
        {
            TaskRunId = invoke.TaskRunId,
            RunId = invoke.RunId,
            Task = invoke.Task,
            Attempt = invoke.Attempt,
            Agent = Name,
            At = at ?? _clock.GetUtcNow(),
            Error = error,
            ErrorType = "TestFailure",
        });

    /// <summary>A well-formed protocol message from this agent.</summary>
    public Task<Guid> SendAsync<T>(string type, T body) =>
        SendRawAsync(JsonSerializer.Serialize(body, WireJson.Options), type, Name, Cerebro.Contracts.Protocol.Version);

    /// <summary>Any body with any headers; a null header is left out.</summary>
    public async Task<Guid> SendRawAsync(string json, string? type, string? sender, object? protocol)
    {
        var messageId = Guid.NewGuid();
        var endpoint = await _bus.GetSendEndpoint(AgentEvents);
        await endpoint.Send(new AgentWireMessage(), context =>
        {
            context.Serializer = new RawBodySerializer(Encoding.UTF8.GetBytes(json));
            context.ContentType = context.Serializer.ContentType;
            context.MessageId = messageId;
            if (type is not null)
                context.Headers.Set(CerebroHeaders.Type, type);
            if (sender is not null)
                context.Headers.Set(CerebroHeaders.Sender, sender);
            if (protocol is not null)
                context.Headers.Set(CerebroHeaders.ProtocolVersion, protocol);
        });
        return messageId;
    }

    public async Task<ReceivedMessage> WaitForAsync(Func<ReceivedMessage, bool> match, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Eventually.DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            Task arrived;
            lock (_lock)
            {
                if (_received.FirstOrDefault(match) is { } found)
                    return found;
                arrived = _arrived.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"{what}: not within {limit.TotalSeconds:0.#} s; {Name} received: {string.Join("; ", Received)}");
            await Task.WhenAny(arrived, Task.Delay(left));
        }
    }

    private static bool IsInvoke(ReceivedMessage message, Guid runId, string? task) =>
        message.Type == MessageTypes.InvokeTask
        && message.Body.GetProperty("runId").GetGuid() == runId
        && (task is null || message.Body.GetProperty("task").GetString() == task);

    private int LastSequence()
    {
        lock (_lock)
            return _received.Count;
    }

    private void Record(ConsumeContext context)
    {
        lock (_lock)
        {
            _received.Add(new ReceivedMessage(
                _received.Count + 1,
                context.Headers.Get<string>(CerebroHeaders.Type),
                context.Headers.Get<string>(CerebroHeaders.Sender),
                context.Headers.Get<object>(CerebroHeaders.ProtocolVersion),
                context.MessageId,
                context.ReceiveContext.ContentType?.MediaType,
                JsonDocument.Parse(context.ReceiveContext.Body.GetBytes()).RootElement.Clone()));
            var arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.TrySetResult();
        }
    }
}

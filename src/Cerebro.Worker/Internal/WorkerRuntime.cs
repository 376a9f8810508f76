using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Worker.Telemetry;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using CerebroHeaders = Cerebro.Contracts.Headers;

namespace Cerebro.Worker.Internal;

/// <summary>
/// One worker at run time: consumes the agent queue, keeps the concurrency bound, runs handlers, sends events.
/// </summary>
/// <remarks>
/// Acknowledgement: an invoke is acknowledged when the consumer returns, which is after its <c>task.started</c> was
/// sent (publisher-confirmed on RabbitMQ); the handler then runs detached from the message. An invoke waiting for a
/// slot (after <c>task.queued</c>) stays unacknowledged, so when the worker stops or dies it returns to the queue for
/// the next instance. A copy of an invoke already taken on by this process is acknowledged and ignored.
/// </remarks>
internal sealed partial class WorkerRuntime
{
    /// <summary>How long cancelled handlers get to end before the drain reports them failed itself.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(5);

    /// <summary>Consumer slots above MaxConcurrency + MaxQueued, for declaration verdicts arriving meanwhile.</summary>
    private const int VerdictSlots = 4;

    private readonly WorkerRegistration _registration;
    private readonly IOptionsMonitor<CerebroWorkerOptions> _optionsMonitor;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly RecentRuns _recent = new(10_000);
    private readonly ConcurrentDictionary<RunKey, RunningTask> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly WorkerStatus _status;

    private CerebroWorkerOptions? _options;
    private IWorkerTransport? _transport;
    private EventPublisher? _events;
    private HostReceiveEndpointHandle? _endpoint;
    private SemaphoreSlim? _slots;
    private int _queued;
    private int _endpointReadyCount;
    private long _readySentAtTicks;

    public WorkerRuntime(WorkerRegistration registration, IOptionsMonitor<CerebroWorkerOptions> optionsMonitor,
        IServiceProvider services, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        _registration = registration;
        _optionsMonitor = optionsMonitor;
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Cerebro.Worker");
        TimeProvider = timeProvider;
        _status = new WorkerStatus(Guid.NewGuid(), () => _running.Count, () => Volatile.Read(ref _queued));
    }

    public WorkerStatus Status => _status;

    public TimeProvider TimeProvider { get; }

    public ILogger Logger => _logger;

    public CerebroWorkerOptions Options => _options ?? throw new InvalidOperationException("the worker has not started");

    public bool IsStopping => _stopping.IsCancellationRequested;

    private string Agent => Options.Agent;

    private EventPublisher Events => _events ?? throw new InvalidOperationException("the worker has not started");

    /// <summary>Reads the options and starts the transport (the worker's own bus, if it has one).</summary>
    public async Task StartTransportAsync(CancellationToken cancellationToken)
    {
        try
        {
            _options = _optionsMonitor.Get(_registration.Name);
            _status.Agent = _options.Agent;
            _slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
            _transport = CreateTransport(_options);
            _events = new EventPublisher(_transport, _options.Agent, TimeProvider, _logger);
            LogStarting(_options.Agent, _transport.Description, _registration.Tasks.All.Count, _options.MaxConcurrency);
            await _transport.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _status.SetStartFailed(ex);
            throw;
        }
    }

    /// <summary>Consumes the agent queue, then declares the tasks with <c>server.ready</c>.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var queue = Topology.AgentQueue(Agent);
            _endpoint = _transport!.ConnectAgentEndpoint(queue, ConfigureEndpoint);
            await _endpoint.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            await SendReadyAsync(cancellationToken).ConfigureAwait(false);
            _status.SetReady();
            LogReady(Agent, queue, _status.Instance);
        }
        catch (Exception ex)
        {
            _status.SetStartFailed(ex);
            throw;
        }
    }

    /// <summary>
    /// Shutdown: <c>server.stopping</c>, stop consuming (invokes not started go back to the queue), let running
    /// handlers finish up to the drain timeout, then cancel them; each ends with <c>task.failed</c> "agent stopping".
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (IsStopping)
            return;
        if (!_status.Ready.IsCompletedSuccessfully)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            return;
        }

        LogStopping(Agent, _running.Count, Volatile.Read(ref _queued));
        try
        {
            await Events.SendAsync(MessageTypes.ServerStopping, new ServerStopping
            {
                Agent = Agent,
                Instance = _status.Instance,
                Reason = "host shutting down",
                SentAt = TimeProvider.GetUtcNow(),
            }, TraceContext.None, retry: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Sending server.stopping failed");
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _endpoint!.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Stopping the receive endpoint failed");
        }

        await DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopTransportAsync(CancellationToken cancellationToken) =>
        _transport?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async Task SendHeartbeatAsync(CancellationToken cancellationToken)
    {
        await Events.SendAsync(MessageTypes.ServerHeartbeat, new ServerHeartbeat
        {
            Agent = Agent,
            Instance = _status.Instance,
            Running = _running.Count,
            Queued = Volatile.Read(ref _queued),
            SentAt = TimeProvider.GetUtcNow(),
        }, TraceContext.None, retry: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <c>server.ready</c> again while Cerebro has not answered it (it may not have been up).</summary>
    public async Task RepeatReadyIfUnansweredAsync(CancellationToken cancellationToken)
    {
        var sentAt = new DateTimeOffset(Interlocked.Read(ref _readySentAtTicks), TimeSpan.Zero);
        if (_status.LastVerdict is not null || TimeProvider.GetUtcNow() - sentAt < Options.DeclarationRetryInterval)
            return;
        _logger.LogWarning("No answer from Cerebro to server.ready within {Interval}; sending it again", Options.DeclarationRetryInterval);
        await SendReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    private IWorkerTransport CreateTransport(CerebroWorkerOptions options) => options.Transport switch
    {
        CerebroTransport.RabbitMq => new RabbitMqWorkerTransport(options.RabbitMqUri!),
        CerebroTransport.HostBus => new HostBusWorkerTransport(
            _services.GetService<IBus>() ?? throw new CerebroException(
                "UseHostBus() needs the application's MassTransit bus: call AddMassTransit(...) as well"),
            _services.GetRequiredService<IReceiveEndpointConnector>()),
        _ => throw new CerebroException($"no transport configured for agent '{options.Agent}'"),
    };

    private void ConfigureEndpoint(IReceiveEndpointConfigurator endpoint)
    {
        endpoint.ConfigureConsumeTopology = false;
        endpoint.PublishFaults = false;
        endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
        endpoint.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType, isDefault: true);

        // Invokes waiting for a slot are held unacknowledged, so the prefetch must cover them all.
        var limit = Options.MaxConcurrency + Options.MaxQueued + VerdictSlots;
        endpoint.PrefetchCount = limit;
        endpoint.ConcurrentMessageLimit = limit;

        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new RequeueWhenStoppingFilter());
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });
        endpoint.ConnectReceiveEndpointObserver(new ReconnectObserver(this));
        endpoint.Handler<InboundMessage>(DispatchAsync);
    }

    private async Task SendReadyAsync(CancellationToken cancellationToken)
    {
        var options = Options;
        var ready = new ServerReady
        {
            Agent = options.Agent,
            Instance = _status.Instance,
            Version = options.Version ?? EntryVersion(),
            MaxConcurrency = options.MaxConcurrency,
            Tasks = [.. _registration.Tasks.All.Select(t => t.ToDeclaration(options.Timeouts.GetValueOrDefault(t.Name)))],
            SentAt = TimeProvider.GetUtcNow(),
        };
        Interlocked.Exchange(ref _readySentAtTicks, ready.SentAt.UtcTicks);
        await Events.SendAsync(MessageTypes.ServerReady, ready, TraceContext.None, retry: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a reconnection the broker may have lost nothing, but Cerebro is told again, with the same instance.</summary>
    private async Task OnEndpointReadyAsync()
    {
        if (Interlocked.Increment(ref _endpointReadyCount) == 1 || IsStopping)
            return;
        try
        {
            _logger.LogInformation("Agent {Agent} reconnected; declaring its tasks again", Agent);
            await SendReadyAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Sending server.ready after a reconnection failed");
        }
    }

    private async Task DispatchAsync(ConsumeContext<InboundMessage> context)
    {
        var type = context.Headers.Get<string>(CerebroHeaders.Type);
        CheckProtocolVersion(context, type);
        switch (type)
        {
            case MessageTypes.InvokeTask:
                await HandleInvokeAsync(Read<InvokeTask>(context, type), TraceOf(context), context.CancellationToken).ConfigureAwait(false);
                break;
            case MessageTypes.DeclarationAccepted:
                HandleAccepted(Read<DeclarationAccepted>(context, type));
                break;
            case MessageTypes.DeclarationRejected:
                HandleRejected(Read<DeclarationRejected>(context, type));
                break;
            default:
                LogUnknownType(Agent, type ?? "(none)", context.MessageId);
                throw new CerebroException(
                    $"agent '{Agent}' cannot handle a message with {CerebroHeaders.Type} '{type ?? "(none)"}': it accepts " +
                    $"{MessageTypes.InvokeTask}, {MessageTypes.DeclarationAccepted} and {MessageTypes.DeclarationRejected}");
        }
    }

    private void CheckProtocolVersion(ConsumeContext context, string? type)
    {
        if (!context.Headers.TryGetHeader(CerebroHeaders.ProtocolVersion, out var value) || value is null)
            return;
        var version = value switch
        {
            int i => i,
            long l => l,
            short s => s,
            byte b => b,
            sbyte sb => sb,
            string text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => -1,
        };
        if (version != Protocol.Version)
            throw new CerebroException(
                $"agent '{Agent}' got a {type ?? "message"} with unsupported {CerebroHeaders.ProtocolVersion} {value}; supported: {Protocol.Version}");
    }

    private static T Read<T>(ConsumeContext context, string type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(context.ReceiveContext.Body.GetBytes(), WireJson.Options)
                ?? throw new CerebroException($"the {type} body is JSON null");
        }
        catch (JsonException ex)
        {
            throw new CerebroException($"the {type} body is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private static TraceContext TraceOf(ConsumeContext context) => new(
        context.Headers.Get<string>(CerebroHeaders.TraceParent),
        context.Headers.Get<string>(CerebroHeaders.TraceState));

    private async Task HandleInvokeAsync(InvokeTask invoke, TraceContext trace, CancellationToken messageCancelled)
    {
        if (IsStopping)
            throw new WorkerStoppingException(Agent);

        var key = new RunKey(invoke.TaskRunId, invoke.Attempt);
        if (!_recent.TryAdd(key))
        {
            LogDuplicate(Agent, invoke.Task, invoke.TaskRunId, invoke.Attempt);
            return;
        }

        var definition = _registration.Tasks.Find(invoke.Task);
        if (definition is null)
        {
            var error = $"task '{invoke.Task}' is not registered on agent '{Agent}'";
            _logger.LogWarning("Invoke of {Task} ({TaskRunId}, attempt {Attempt}) refused: {Error}", invoke.Task, invoke.TaskRunId, invoke.Attempt, error);
            await Events.SendAsync(MessageTypes.TaskFailed, Failed(invoke, error, "TaskNotRegistered"), trace, retry: true, CancellationToken.None)
                .ConfigureAwait(false);
            return;
        }

        await TakeSlotAsync(invoke, key, trace, messageCancelled).ConfigureAwait(false);

        var run = new RunningTask(invoke, definition, trace);
        _running[key] = run;
        try
        {
            await Events.SendAsync(MessageTypes.TaskStarted, Started(invoke), trace, retry: true, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch
        {
            // Not started as far as Cerebro knows: give the slot back and let the invoke be redelivered.
            _running.TryRemove(key, out _);
            _slots!.Release();
            _recent.Remove(key);
            throw;
        }

        run.Completion = Task.Run(() => ExecuteAsync(run));
    }

    /// <summary>Takes a slot at once, or reports <c>task.queued</c> and waits for one while holding the invoke.</summary>
    private async Task TakeSlotAsync(InvokeTask invoke, RunKey key, TraceContext trace, CancellationToken messageCancelled)
    {
        if (_slots!.Wait(0))
            return;

        Interlocked.Increment(ref _queued);
        try
        {
            LogQueued(Agent, invoke.Task, invoke.TaskRunId, invoke.Attempt);
            await Events.SendAsync(MessageTypes.TaskQueued, Queued(invoke), trace, retry: true, CancellationToken.None)
                .ConfigureAwait(false);
            using var giveBack = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, messageCancelled);
            await _slots.WaitAsync(giveBack.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _recent.Remove(key);
            throw new WorkerStoppingException(Agent);
        }
        catch
        {
            _recent.Remove(key);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }

        if (IsStopping)
        {
            _slots.Release();
            _recent.Remove(key);
            throw new WorkerStoppingException(Agent);
        }
    }

    private async Task ExecuteAsync(RunningTask run)
    {
        var invoke = run.Invoke;
        using var execution = TaskExecutionTrace.Start(invoke, run.Trace, Agent, _logger, TimeProvider);
        try
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            TaskRunEvent outcome;
            try
            {
                var result = await RunHandlerAsync(run, cancel.Token).ConfigureAwait(false);
                outcome = new TaskCompleted
                {
                    TaskRunId = invoke.TaskRunId,
                    RunId = invoke.RunId,
                    Task = invoke.Task,
                    Attempt = invoke.Attempt,
                    Agent = Agent,
                    At = TimeProvider.GetUtcNow(),
                    Result = result,
                };
                LogCompleted(Agent, invoke.Task, invoke.TaskRunId, invoke.Attempt);
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                outcome = Failed(invoke, StoppedError(invoke.Task), "AgentStopping");
                _logger.LogWarning("Task {Task} ({TaskRunId}, attempt {Attempt}) cancelled: the agent is stopping", invoke.Task, invoke.TaskRunId, invoke.Attempt);
            }
            catch (Exception ex)
            {
                outcome = Failed(invoke, ErrorDescriptions.Describe(invoke.Task, ex), ErrorDescriptions.TypeOf(ex));
                _logger.LogWarning(ex, "Task {Task} ({TaskRunId}, attempt {Attempt}) failed", invoke.Task, invoke.TaskRunId, invoke.Attempt);
            }

            execution.End(outcome);
            if (run.TryFinish())
                await SendOutcomeAsync(run, outcome).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Reporting the end of task {Task} ({TaskRunId}, attempt {Attempt}) failed", invoke.Task, invoke.TaskRunId, invoke.Attempt);
        }
        finally
        {
            _running.TryRemove(run.Key, out _);
            _slots!.Release();
        }
    }

    private async Task<JsonElement?> RunHandlerAsync(RunningTask run, CancellationToken cancellationToken)
    {
        var invoke = run.Invoke;
        var scope = _services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var logger = _loggerFactory.CreateLogger("Cerebro.Worker.Task");
            using var logScope = logger.BeginScope(new Dictionary<string, object>
            {
                ["Agent"] = Agent,
                ["Task"] = invoke.Task,
                ["TaskRunId"] = invoke.TaskRunId,
                ["RunId"] = invoke.RunId,
                ["Attempt"] = invoke.Attempt,
            });
            var context = new TaskContext
            {
                TaskRunId = invoke.TaskRunId,
                RunId = invoke.RunId,
                Task = invoke.Task,
                Attempt = invoke.Attempt,
                Agent = Agent,
                InvokedAt = invoke.InvokedAt,
                Parameters = invoke.Parameters,
                Logger = logger,
                Services = scope.ServiceProvider,
            };
            var result = await run.Definition.Handler!(context, cancellationToken).ConfigureAwait(false);
            return ToJson(invoke.Task, result);
        }
    }

    private static JsonElement? ToJson(string task, object? result)
    {
        try
        {
            return result switch
            {
                null => null,
                JsonElement element => element,
                JsonDocument document => document.RootElement.Clone(),
                _ => JsonSerializer.SerializeToElement(result, result.GetType(), WireJson.Options),
            };
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new TaskFailedException($"{task} finished but its result ({result!.GetType().Name}) cannot be serialized to JSON: {ex.Message}",
                "ResultNotSerializable", ex);
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var running = _running.Values.ToArray();
        if (running.Length == 0)
            return;

        LogDraining(Agent, running.Length, Options.DrainTimeout);
        var all = Task.WhenAll(running.Select(r => r.Completion));
        try
        {
            await all.WaitAsync(Options.DrainTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            _logger.LogWarning("{Count} task(s) still running after the drain; cancelling them", _running.Count);
        }

        await _abort.CancelAsync().ConfigureAwait(false);
        try
        {
            await all.WaitAsync(AbortGrace, TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var run in running.Where(r => !r.Completion.IsCompleted && r.TryFinish()))
            {
                _logger.LogError("Task {Task} ({TaskRunId}) ignored cancellation; reporting it failed", run.Invoke.Task, run.Invoke.TaskRunId);
                await SendOutcomeAsync(run, Failed(run.Invoke, StoppedError(run.Invoke.Task), "AgentStopping")).ConfigureAwait(false);
            }
        }
    }

    private async Task SendOutcomeAsync(RunningTask run, TaskRunEvent outcome)
    {
        try
        {
            if (outcome is TaskCompleted completed)
                await Events.SendAsync(MessageTypes.TaskCompleted, completed, run.Trace, retry: true, CancellationToken.None).ConfigureAwait(false);
            else
                await Events.SendAsync(MessageTypes.TaskFailed, (TaskFailed)outcome, run.Trace, retry: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Could not report the end of task {Task} ({TaskRunId}); Cerebro will time it out", run.Invoke.Task, run.Invoke.TaskRunId);
        }
    }

    private void HandleAccepted(DeclarationAccepted verdict)
    {
        if (!IsOurs(verdict.Agent, verdict.Instance, MessageTypes.DeclarationAccepted))
            return;
        _logger.LogInformation("Cerebro accepted the declaration of agent {Agent}: {Tasks}", Agent, string.Join(", ", verdict.Accepted));
        Events.UseTaskEventsExchange(verdict.TaskEventsExchange);
        foreach (var problem in verdict.Unresolved)
            _logger.LogWarning("Task {Task} cannot run yet: {Reason}", problem.Task, problem.Reason);
        _status.SetVerdict(new DeclarationVerdict
        {
            IsRejected = false,
            Instance = verdict.Instance,
            Accepted = verdict.Accepted,
            Unresolved = verdict.Unresolved,
            At = verdict.At,
        });
    }

    private void HandleRejected(DeclarationRejected verdict)
    {
        if (!IsOurs(verdict.Agent, verdict.Instance, MessageTypes.DeclarationRejected))
            return;
        _logger.LogWarning("Cerebro rejected part of the declaration of agent {Agent}: {Reason}", Agent, verdict.Reason);
        Events.UseTaskEventsExchange(verdict.TaskEventsExchange);
        foreach (var problem in verdict.Refused)
            _logger.LogWarning("Task {Task} refused by Cerebro, it will never be invoked: {Reason}", problem.Task, problem.Reason);
        foreach (var problem in verdict.Unresolved)
            _logger.LogWarning("Task {Task} cannot run yet: {Reason}", problem.Task, problem.Reason);
        _status.SetVerdict(new DeclarationVerdict
        {
            IsRejected = true,
            Instance = verdict.Instance,
            Reason = verdict.Reason,
            Accepted = verdict.Accepted,
            Refused = verdict.Refused,
            Unresolved = verdict.Unresolved,
            At = verdict.At,
        });
    }

    private bool IsOurs(string agent, Guid instance, string type)
    {
        if (agent == Agent && instance == _status.Instance)
            return true;
        _logger.LogInformation("Ignoring {Type} for agent {VerdictAgent} instance {Instance}: this is {Agent} instance {Current}",
            type, agent, instance, Agent, _status.Instance);
        return false;
    }

    private string StoppedError(string task) =>
        $"agent stopping: {Agent} stopped before {task} finished (drain timeout {Options.DrainTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)";

    private TaskStarted Started(InvokeTask invoke) => new()
    {
        TaskRunId = invoke.TaskRunId,
        RunId = invoke.RunId,
        Task = invoke.Task,
        Attempt = invoke.Attempt,
        Agent = Agent,
        At = TimeProvider.GetUtcNow(),
    };

    private TaskQueued Queued(InvokeTask invoke) => new()
    {
        TaskRunId = invoke.TaskRunId,
        RunId = invoke.RunId,
        Task = invoke.Task,
        Attempt = invoke.Attempt,
        Agent = Agent,
        At = TimeProvider.GetUtcNow(),
    };

    private TaskFailed Failed(InvokeTask invoke, string error, string errorType) => new()
    {
        TaskRunId = invoke.TaskRunId,
        RunId = invoke.RunId,
        Task = invoke.Task,
        Attempt = invoke.Attempt,
        Agent = Agent,
        At = TimeProvider.GetUtcNow(),
        Error = error,
        ErrorType = errorType,
    };

    private static string? EntryVersion()
    {
        var entry = Assembly.GetEntryAssembly();
        return entry?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? entry?.GetName().Version?.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting Cerebro agent {Agent} on {Transport} with {TaskCount} task(s), max concurrency {MaxConcurrency}")]
    private partial void LogStarting(string agent, string transport, int taskCount, int maxConcurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} consumes {Queue} and sent server.ready (instance {Instance})")]
    private partial void LogReady(string agent, string queue, Guid instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} stopping: {Running} running, {Queued} queued (queued invokes go back to the queue)")]
    private partial void LogStopping(string agent, int running, int queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} waits up to {DrainTimeout} for {Count} running task(s)")]
    private partial void LogDraining(string agent, int count, TimeSpan drainTimeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} ignores a copy of the invoke of {Task} ({TaskRunId}, attempt {Attempt}): already taken on")]
    private partial void LogDuplicate(string agent, string task, Guid taskRunId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} queues {Task} ({TaskRunId}, attempt {Attempt}): every slot is busy")]
    private partial void LogQueued(string agent, string task, Guid taskRunId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} completed {Task} ({TaskRunId}, attempt {Attempt})")]
    private partial void LogCompleted(string agent, string task, Guid taskRunId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Agent} got a message of unknown cerebro-type '{Type}' (message id {MessageId}); moving it to the error queue")]
    private partial void LogUnknownType(string agent, string type, Guid? messageId);

    private sealed class ReconnectObserver : IReceiveEndpointObserver
    {
        private readonly WorkerRuntime _runtime;

        public ReconnectObserver(WorkerRuntime runtime)
        {
            _runtime = runtime;
        }

        public Task Ready(ReceiveEndpointReady ready)
        {
            _ = _runtime.OnEndpointReadyAsync();
            return Task.CompletedTask;
        }

        public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

        public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

        public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
    }
}

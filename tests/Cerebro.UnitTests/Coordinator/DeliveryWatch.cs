using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// Signals when the coordinator's bus has done with a message, found by its message id, and names the consumer that
/// took it: the only way to wait for a message that, by design, changes nothing anyone could poll for.
/// </summary>
public sealed class DeliveryWatch : IReceiveObserver
{
    private readonly ConcurrentDictionary<Guid, string> _consumers = new();
    private readonly ConcurrentDictionary<Guid, Exception> _faults = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<string?>> _done = new();

    /// <summary>Watches every receive endpoint of the coordinator's bus, for as long as the bus lives.</summary>
    public static DeliveryWatch Connect(IServiceProvider services)
    {
        var watch = new DeliveryWatch();
        services.GetRequiredService<IBus>().ConnectReceiveObserver(watch);
        return watch;
    }

    /// <summary>
    /// The consumer that took the message (null: nobody did, and it went to the skipped queue); throws if it faulted
    /// after the endpoint's retries, or if the bus has not done with it by the deadline.
    /// </summary>
    public async Task<string?> DeliveredAsync(Guid messageId)
    {
        try
        {
            return await Completion(messageId).Task.WaitAsync(Eventually.DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"message {messageId}: not received within {Eventually.DefaultTimeout.TotalSeconds:0.#} s");
        }
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        if (context.GetMessageId() is not { } id)
            return Task.CompletedTask;
        _consumers.TryGetValue(id, out var consumer);
        if (context.IsFaulted)
            Completion(id).TrySetException(Faulted(id, consumer));
        else
            Completion(id).TrySetResult(consumer);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class
    {
        if (context.MessageId is { } id)
            _consumers[id] = consumerType;
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class
    {
        if (context.MessageId is { } id)
        {
            _consumers[id] = consumerType;
            _faults[id] = exception;
        }

        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        if (context.GetMessageId() is { } id)
            Completion(id).TrySetException(new InvalidOperationException($"message {id} faulted on receive", exception));
        return Task.CompletedTask;
    }

    private TaskCompletionSource<string?> Completion(Guid messageId) =>
        _done.GetOrAdd(messageId, _ => new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously));

    private InvalidOperationException Faulted(Guid messageId, string? consumer) =>
        new($"message {messageId} faulted in {consumer ?? "no consumer"}", _faults.GetValueOrDefault(messageId));
}

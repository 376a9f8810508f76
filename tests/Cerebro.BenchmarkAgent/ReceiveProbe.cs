using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Cerebro.Worker;

namespace Cerebro.BenchmarkAgent;

/// <summary>
/// Timestamps on the agent's clock, without hooks in the SDK: MassTransit starts a <c>receive</c> activity the moment a
/// message comes off the broker (keyed here by its message id, which for an invoke Cerebro derives from the task run
/// and attempt) and a <c>send</c> activity around each event, the first of which is <c>server.ready</c>.
/// </summary>
internal sealed class ReceiveProbe : IDisposable
{
    private const string SourceName = "MassTransit";
    private const string MessageIdTag = "messaging.message.id";
    private const string OperationTag = "messaging.operation";
    private const string BodySizeTag = "messaging.message.body.size";

    private readonly ConcurrentDictionary<Guid, long> _received = new();
    private readonly ActivityListener _listener;
    private readonly TimestampLog _log;
    private int _firstSendSeen;

    public ReceiveProbe(TimestampLog log)
    {
        _log = log;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = OnStarted,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>When the invoke of this task run's attempt came off the broker, or null if the probe did not see it.</summary>
    public long? ReceivedAt(TaskContext context) =>
        _received.TryRemove(InvokeMessageId(context.TaskRunId, context.Attempt), out var ticks) ? ticks : null;

    public void Dispose() => _listener.Dispose();

    /// <summary>Cerebro's invoke message id: SHA-256 of (taskRunId, attempt), first 16 bytes (Cerebro.Server's AgentMessaging).</summary>
    private static Guid InvokeMessageId(Guid taskRunId, int attempt)
    {
        Span<byte> input = stackalloc byte[20];
        taskRunId.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], attempt);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return new Guid(hash[..16]);
    }

    private void OnStarted(Activity activity)
    {
        var now = Stopwatch.GetTimestamp();
        var operation = activity.GetTagItem(OperationTag) as string;
        if (operation == "receive" || (operation is null && activity.OperationName.EndsWith("receive", StringComparison.Ordinal)))
        {
            if (MessageId(activity) is { } id)
                _received[id] = now;
        }
        else if ((operation == "send" || operation == "publish") && Interlocked.Exchange(ref _firstSendSeen, 1) == 0)
        {
            _log.Write($"READY-SEND-START {now}");
            activity.SetCustomProperty("bench-first-send", true);
        }
    }

    private void OnStopped(Activity activity)
    {
        if (activity.GetCustomProperty("bench-first-send") is not true)
            return;
        var size = activity.GetTagItem(BodySizeTag);
        _log.Write(string.Create(CultureInfo.InvariantCulture, $"READY-SEND-END {Stopwatch.GetTimestamp()} {size ?? "-"}"));
    }

    private static Guid? MessageId(Activity activity) =>
        activity.GetTagItem(MessageIdTag) switch
        {
            Guid g => g,
            string s when Guid.TryParse(s, out var parsed) => parsed,
            _ => null,
        };
}

using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Cerebro.Contracts;

namespace Cerebro.Server.Agents;

/// <summary>
/// Reads a <c>server.ready</c> body in one pass of a <see cref="Utf8JsonReader"/>, to the very objects
/// <see cref="JsonSerializer"/> with <see cref="WireJson.Options"/> makes of it. A declaration may hold 100,000 tasks, and
/// the serializer's general machinery (property lookup, converter dispatch, read state per level) cost a third of
/// declaring them. It takes only the shape agents send: every property named exactly as the wire names it (camelCase),
/// at most once, with a value of its own type or null where the contract allows one. On anything else (another casing,
/// an unknown or repeated property, a number in a string, a missing or null required value, invalid JSON) it gives up,
/// and the caller reads the body with the serializer, whose result or error message is then the answer as before.
/// </summary>
internal static class ServerReadyReader
{
    // The order is the index each reader's switch uses.
    private static readonly JsonEncodedText[] ReadyProperties = Names(nameof(ServerReady.Agent), nameof(ServerReady.Instance),
        nameof(ServerReady.Version), nameof(ServerReady.MaxConcurrency), nameof(ServerReady.Tasks), nameof(ServerReady.SentAt));

    private static readonly JsonEncodedText[] TaskProperties = Names(nameof(TaskDeclaration.Name), nameof(TaskDeclaration.Owner),
        nameof(TaskDeclaration.Description), nameof(TaskDeclaration.Upstreams), nameof(TaskDeclaration.Cron), nameof(TaskDeclaration.Timeouts));

    private static readonly JsonEncodedText[] UpstreamProperties = Names(nameof(UpstreamDeclaration.Task), nameof(UpstreamDeclaration.FreshWithinSeconds));

    private static readonly JsonEncodedText[] TimeoutProperties = Names(nameof(TaskTimeouts.AckSeconds), nameof(TaskTimeouts.StartSeconds),
        nameof(TaskTimeouts.CompleteSeconds));

    // What the contract sets when the body leaves the property out.
    private static readonly int DefaultMaxConcurrency = new ServerReady { Agent = "", Instance = Guid.Empty, SentAt = default }.MaxConcurrency;

    /// <summary>True with the message when the body has the plain shape; false when the serializer must read it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out ServerReady? ready)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            ready = reader.Read() ? ReadReady(ref reader) : null;
            // The serializer refuses anything but whitespace after the value; the reader throws on it here too.
            if (ready is not null && reader.Read())
                ready = null;
        }
        catch (JsonException)
        {
            ready = null;
        }
        catch (InvalidOperationException)
        {
            // A token of another type than the one asked for: the serializer says what is wrong.
            ready = null;
        }

        return ready is not null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ServerReady? ReadReady(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            return null;

        string? agent = null, version = null;
        Guid? instance = null;
        int? maxConcurrency = null;
        List<TaskDeclaration>? tasks = null;
        DateTimeOffset? sentAt = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = Property(ref reader, ReadyProperties, ref seen);
            reader.Read();
            switch (property)
            {
                case 0 when reader.TokenType == JsonTokenType.String:
                    agent = reader.GetString();
                    break;
                case 1 when reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out var guid):
                    instance = guid;
                    break;
                case 2 when reader.TokenType is JsonTokenType.String or JsonTokenType.Null:
                    version = reader.GetString();
                    break;
                case 3 when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var max):
                    maxConcurrency = max;
                    break;
                case 4 when reader.TokenType == JsonTokenType.StartArray:
                    tasks = ReadTasks(ref reader);
                    if (tasks is null)
                        return null;
                    break;
                case 5 when reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var at):
                    sentAt = at;
                    break;
                default:
                    return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || agent is null || instance is null || sentAt is null)
            return null;
        return new ServerReady
        {
            Agent = agent,
            Instance = instance.Value,
            Version = version,
            MaxConcurrency = maxConcurrency ?? DefaultMaxConcurrency,
            Tasks = tasks ?? [],
            SentAt = sentAt.Value,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<TaskDeclaration>? ReadTasks(ref Utf8JsonReader reader)
    {
        var tasks = new List<TaskDeclaration>();
        string? lastOwner = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var task = ReadTask(ref reader, ref lastOwner);
            if (task is null)
                return null;
            tasks.Add(task);
        }

        return reader.TokenType == JsonTokenType.EndArray ? tasks : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TaskDeclaration? ReadTask(ref Utf8JsonReader reader, ref string? lastOwner)
    {
        string? name = null, owner = null, description = null, cron = null;
        List<UpstreamDeclaration>? upstreams = null;
        TaskTimeouts? timeouts = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = Property(ref reader, TaskProperties, ref seen);
            reader.Read();
            switch (property)
            {
                case 0 when reader.TokenType == JsonTokenType.String:
                    name = reader.GetString();
                    break;
                case 1 when reader.TokenType == JsonTokenType.String:
                    // Most tasks of an agent share their owner: one string for all of them.
                    owner = lastOwner is not null && reader.ValueTextEquals(lastOwner) ? lastOwner : reader.GetString();
                    lastOwner = owner;
                    break;
                case 2 when reader.TokenType is JsonTokenType.String or JsonTokenType.Null:
                    description = reader.GetString();
                    break;
                case 3 when reader.TokenType == JsonTokenType.StartArray:
                    upstreams = ReadUpstreams(ref reader);
                    if (upstreams is null)
                        return null;
                    break;
                case 4 when reader.TokenType is JsonTokenType.String or JsonTokenType.Null:
                    cron = reader.GetString();
                    break;
                case 5 when reader.TokenType == JsonTokenType.Null:
                    break;
                case 5 when reader.TokenType == JsonTokenType.StartObject:
                    timeouts = ReadTimeouts(ref reader);
                    if (timeouts is null)
                        return null;
                    break;
                default:
                    return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || name is null || owner is null)
            return null;
        return new TaskDeclaration
        {
            Name = name,
            Owner = owner,
            Description = description,
            Upstreams = upstreams ?? [],
            Cron = cron,
            Timeouts = timeouts,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<UpstreamDeclaration>? ReadUpstreams(ref Utf8JsonReader reader)
    {
        var upstreams = new List<UpstreamDeclaration>(2);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? task = null;
            double? freshWithin = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = Property(ref reader, UpstreamProperties, ref seen);
                reader.Read();
                switch (property)
                {
                    case 0 when reader.TokenType == JsonTokenType.String:
                        task = reader.GetString();
                        break;
                    case 1 when TryReadNumber(ref reader, out var seconds):
                        freshWithin = seconds;
                        break;
                    default:
                        return null;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || task is null)
                return null;
            upstreams.Add(new UpstreamDeclaration { Task = task, FreshWithinSeconds = freshWithin });
        }

        return reader.TokenType == JsonTokenType.EndArray ? upstreams : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TaskTimeouts? ReadTimeouts(ref Utf8JsonReader reader)
    {
        double? ack = null, start = null, complete = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = Property(ref reader, TimeoutProperties, ref seen);
            reader.Read();
            if (property < 0 || !TryReadNumber(ref reader, out var seconds))
                return null;
            if (property == 0)
                ack = seconds;
            else if (property == 1)
                start = seconds;
            else
                complete = seconds;
        }

        return reader.TokenType == JsonTokenType.EndObject
            ? new TaskTimeouts { AckSeconds = ack, StartSeconds = start, CompleteSeconds = complete }
            : null;
    }

    /// <summary>A nullable double as the serializer reads one from a number token (a string holding one is left to it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryReadNumber(ref Utf8JsonReader reader, out double? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
            return true;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var number))
            return false;
        value = number;
        return true;
    }

    private static JsonEncodedText[] Names(params string[] properties) =>
        [.. properties.Select(p => JsonEncodedText.Encode(WireJson.Options.PropertyNamingPolicy!.ConvertName(p)))];

    /// <summary>The index of the property the reader is on in <paramref name="names"/>; -1 when unknown or repeated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Property(ref Utf8JsonReader reader, JsonEncodedText[] names, ref int seen)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i].EncodedUtf8Bytes))
            {
                var bit = 1 << i;
                if ((seen & bit) != 0)
                    return -1;
                seen |= bit;
                return i;
            }
        }

        return -1;
    }
}

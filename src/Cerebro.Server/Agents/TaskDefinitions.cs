using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Domain;
using Cerebro.Server.Persistence;

namespace Cerebro.Server.Agents;

/// <summary>
/// Converts between the wire's task declarations, the stored records and the domain's definitions. What runs once per
/// task of a declaration is compiled optimized at once (<see cref="MethodImplOptions.AggressiveOptimization"/>): agents
/// declare when they start, so this code is cold, and tiered compilation would run a 100,000-task declaration through
/// unoptimized code before it got round to optimizing it.
/// </summary>
internal static class TaskDefinitions
{
    private static readonly JsonEncodedText TaskProperty = JsonEncodedText.Encode(
        WireJson.Options.PropertyNamingPolicy!.ConvertName(nameof(UpstreamDeclaration.Task)));

    private static readonly JsonEncodedText FreshWithinSecondsProperty = JsonEncodedText.Encode(
        WireJson.Options.PropertyNamingPolicy!.ConvertName(nameof(UpstreamDeclaration.FreshWithinSeconds)));

    // One writer per thread, reused: writing the upstreams of each of 100,000 tasks must not allocate one each time.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Every task of a declaration, in declared order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TaskDefinition[] FromDeclarations(string agent, IReadOnlyList<TaskDeclaration> declarations)
    {
        var definitions = new TaskDefinition[declarations.Count];
        for (var i = 0; i < definitions.Length; i++)
            definitions[i] = FromDeclaration(agent, declarations[i]);
        return definitions;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TaskDefinition FromDeclaration(string agent, TaskDeclaration declaration)
    {
        var declared = declaration.Upstreams ?? [];
        var upstreams = declared.Count == 0 ? [] : new Upstream[declared.Count];
        for (var i = 0; i < upstreams.Length; i++)
            upstreams[i] = new Upstream(declared[i].Task, ToSpan(declared[i].FreshWithinSeconds));
        return new TaskDefinition(declaration.Name, agent, declaration.Owner, upstreams, declaration.Cron,
            declaration.Timeouts is { } t ? new TaskTimeoutOverrides(ToSpan(t.AckSeconds), ToSpan(t.StartSeconds), ToSpan(t.CompleteSeconds)) : null,
            declaration.Description);
    }

    public static TaskDefinition FromRecord(TaskRecord record)
    {
        var upstreams = ReadUpstreams(record.UpstreamsJson);
        var timeouts = record.AckTimeoutSeconds is null && record.StartTimeoutSeconds is null && record.CompleteTimeoutSeconds is null
            ? null
            : new TaskTimeoutOverrides(ToSpan(record.AckTimeoutSeconds), ToSpan(record.StartTimeoutSeconds), ToSpan(record.CompleteTimeoutSeconds));
        return new TaskDefinition(record.Name, record.Agent, record.Owner,
            upstreams.Select(u => new Upstream(u.Task, ToSpan(u.FreshWithinSeconds))).ToList(), record.Cron, timeouts, record.Description);
    }

    /// <summary>The row that stores an accepted task with its status.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TaskRecord ToRecord(TaskState state, DateTime declaredAt)
    {
        var definition = state.Definition;
        return new TaskRecord
        {
            Name = definition.Name,
            Agent = definition.Agent,
            Owner = definition.Owner,
            Description = definition.Description,
            UpstreamsJson = UpstreamsJson(definition.Upstreams),
            Cron = definition.Cron,
            AckTimeoutSeconds = definition.Timeouts?.Ack?.TotalSeconds,
            StartTimeoutSeconds = definition.Timeouts?.Start?.TotalSeconds,
            CompleteTimeoutSeconds = definition.Timeouts?.Complete?.TotalSeconds,
            Status = StatusName(state.Status),
            StatusReason = state.Reason,
            DeclaredAt = declaredAt,
        };
    }

    /// <summary>
    /// How a task's upstreams are stored, for accepted and refused tasks alike: the wire's JSON of
    /// <see cref="UpstreamDeclaration"/>s. Written by hand, not by the serializer, because a declaration of 100,000
    /// tasks writes it 100,000 times; the output is the same (the wire's encoder, nulls omitted, entries as declared).
    /// </summary>
    public static string UpstreamsJson(IEnumerable<UpstreamDeclaration?> upstreams) =>
        WriteUpstreams(upstreams, static (writer, u) =>
        {
            if (u is null)
                writer.WriteNullValue();
            else
                WriteUpstream(writer, u.Task, u.FreshWithinSeconds);
        });

    /// <inheritdoc cref="UpstreamsJson(IEnumerable{UpstreamDeclaration})"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string UpstreamsJson(IReadOnlyList<Upstream> upstreams) =>
        upstreams.Count == 0 ? "[]" : WriteUpstreams(upstreams, static (writer, u) => WriteUpstream(writer, u.Task, u.FreshWithin?.TotalSeconds));

    public static IReadOnlyList<UpstreamDeclaration> ReadUpstreams(string json) =>
        JsonSerializer.Deserialize<List<UpstreamDeclaration>>(json, WireJson.Options) ?? [];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string WriteUpstreams<T>(IEnumerable<T> upstreams, Action<Utf8JsonWriter, T> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = WireJson.Options.Encoder });
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartArray();
        foreach (var upstream in upstreams)
            write(writer, upstream);
        writer.WriteEndArray();
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteUpstream(Utf8JsonWriter writer, string? task, double? freshWithinSeconds)
    {
        writer.WriteStartObject();
        writer.WriteString(TaskProperty, task);
        if (freshWithinSeconds is { } seconds)
            writer.WriteNumber(FreshWithinSecondsProperty, seconds);
        writer.WriteEndObject();
    }

    public static string StatusName(Domain.TaskStatus status) => status == Domain.TaskStatus.Runnable ? "runnable" : "unresolved";

    // A value no TimeSpan can hold becomes a negative span, which the graph builder refuses with a reason.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TimeSpan? ToSpan(double? seconds) => seconds switch
    {
        null => null,
        { } s when double.IsFinite(s) && Math.Abs(s) < TimeSpan.MaxValue.TotalSeconds => TimeSpan.FromSeconds(s),
        _ => TimeSpan.MinValue,
    };
}

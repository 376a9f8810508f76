using System.Diagnostics;
using System.Reflection;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// Gives a started <see cref="Activity"/> a span id decided before it started: the span of a run or a task run is
/// decided when it begins (its children point at it, in this process and in agents) but can only be emitted when it
/// ends, perhaps in another Cerebro process. The runtime offers no public way to choose a span id (its trace id only
/// through a process-wide generator), so this sets the activity's private id fields, as its own W3C id generation
/// does. <see cref="IsSupported"/> is false should a runtime lay them out differently: the span then keeps the
/// runtime's id, and a unit test fails.
/// </summary>
internal static class SpanIdentity
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
    private static readonly FieldInfo? SpanIdField = StringField("_spanId");
    private static readonly FieldInfo? IdField = StringField("_id");
    private static readonly FieldInfo? ParentSpanIdField = StringField("_parentSpanId");
    private static readonly FieldInfo? ParentIdField = StringField("_parentId");

    public static bool IsSupported { get; } = SpanIdField is not null && IdField is not null && ParentSpanIdField is not null && ParentIdField is not null;

    /// <summary>
    /// Makes the started, W3C-format <paramref name="activity"/> the span <paramref name="spanId"/>; <paramref name="asRoot"/>
    /// also forgets its parent (a root is created under its own decided context, for the trace id and sampling decision).
    /// </summary>
    public static bool TryAssume(Activity activity, ActivitySpanId spanId, bool asRoot)
    {
        if (!IsSupported || activity.IdFormat != ActivityIdFormat.W3C)
            return false;
        SpanIdField!.SetValue(activity, spanId.ToHexString());
        IdField!.SetValue(activity, null); // the cached "00-trace-span-flags" string, rebuilt from the fields on demand
        if (asRoot)
        {
            ParentSpanIdField!.SetValue(activity, null);
            ParentIdField!.SetValue(activity, null);
        }

        return activity.SpanId == spanId && (!asRoot || activity.ParentSpanId == default);
    }

    private static FieldInfo? StringField(string name) =>
        typeof(Activity).GetField(name, Private) is { FieldType: var type } field && type == typeof(string) ? field : null;
}

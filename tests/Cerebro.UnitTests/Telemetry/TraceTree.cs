using System.Diagnostics;
using Xunit.Abstractions;

namespace Cerebro.UnitTests.Telemetry;

/// <summary>Writes a trace as an indented tree (start offset, duration, source, name, status) to the test output.</summary>
internal static class TraceTree
{
    public static void Write(ITestOutputHelper output, IReadOnlyList<Activity> trace)
    {
        var start = trace.Min(s => s.StartTimeUtc);
        var children = trace.ToLookup(s => s.ParentSpanId);
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        foreach (var root in trace.Where(s => !ids.Contains(s.ParentSpanId)).OrderBy(s => s.StartTimeUtc))
            Write(root, 0);

        void Write(Activity span, int depth)
        {
            output.WriteLine($"{(span.StartTimeUtc - start).TotalMilliseconds,8:0.0} ms {span.Duration.TotalMilliseconds,8:0.0} ms  {span.Source.Name,-14} "
                + $"{new string(' ', depth * 2)}{span.DisplayName}{(span.Status == ActivityStatusCode.Unset ? "" : $" [{span.Status}{(span.StatusDescription is null ? "" : ": " + span.StatusDescription)}]")}"
                + string.Concat(span.Events.Select(e => $" ·{e.Name}")));
            foreach (var child in children[span.SpanId].OrderBy(s => s.StartTimeUtc))
                Write(child, depth + 1);
        }
    }
}

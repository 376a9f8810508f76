using System.Text;

namespace Cerebro.Tests.Shared.Telemetry;

public sealed record OtlpRequest(string Method, string Path, string? ContentType, byte[] Body)
{
    /// <summary>Whether a string (a service name, a span name) appears in the protobuf body, where strings are plain UTF-8.</summary>
    public bool Mentions(string text) => Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}

namespace Cerebro.Tests.Shared.Telemetry;

/// <summary>The parts of an OTLP span the tests look at; ids in lowercase hex, an absent parent as "".</summary>
public sealed record OtlpSpan(string ServiceName, string ServiceInstanceId, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name,
    IReadOnlyDictionary<string, string> Attributes, int StatusCode, string? StatusMessage)
{
    public const int StatusOk = 1;
    public const int StatusError = 2;
}

namespace Cerebro.Tests.Shared.Telemetry;

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> (protobuf) far enough for the tests: the service name of each
/// resource, and of each span its ids, name, string/int attributes and status. Field numbers from
/// opentelemetry-proto (trace/v1/trace.proto, common/v1/common.proto).
/// </summary>
public static class OtlpTraces
{
    public static IReadOnlyList<OtlpSpan> Parse(byte[] body)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(body))
        {
            if (field != 1)
                continue;
            string service = "", instance = "";
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f != 1)
                    continue;
                var resource = Attributes(value, 1);
                service = resource.GetValueOrDefault("service.name", "");
                instance = resource.GetValueOrDefault("service.instance.id", "");
            }

            foreach (var (f, scopeSpans) in Fields(resourceSpans))
            {
                if (f != 2)
                    continue;
                var scope = "";
                foreach (var (g, value) in Fields(scopeSpans))
                    if (g == 1)
                        scope = String(Fields(value).FirstOrDefault(x => x.Field == 1).Value);
                foreach (var (g, span) in Fields(scopeSpans))
                    if (g == 2)
                        spans.Add(Span(span, service, instance, scope));
            }
        }

        return spans;
    }

    private static OtlpSpan Span(ReadOnlyMemory<byte> span, string service, string instance, string scope)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        string? statusMessage = null;
        var statusCode = 0;
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                case 4: parent = Convert.ToHexStringLower(value.Span); break;
                case 5: name = String(value); break;
                case 15:
                    foreach (var (s, v) in Fields(value))
                    {
                        if (s == 2)
                            statusMessage = String(v);
                        else if (s == 3)
                            statusCode = (int)VarintValue(v);
                    }

                    break;
            }
        }

        return new OtlpSpan(service, instance, scope, traceId, spanId, parent, name, Attributes(span, 9), statusCode, statusMessage);
    }

    private static Dictionary<string, string> Attributes(ReadOnlyMemory<byte> message, int field)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (f, keyValue) in Fields(message))
        {
            if (f != field)
                continue;
            string key = "", text = "";
            foreach (var (k, v) in Fields(keyValue))
            {
                if (k == 1)
                    key = String(v);
                else if (k == 2)
                    foreach (var (a, any) in Fields(v))
                        text = a switch
                        {
                            1 => String(any),
                            2 or 3 => VarintValue(any).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            4 => BitConverter.Int64BitsToDouble(BitConverter.ToInt64(any.Span)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            _ => text,
                        };
            }

            attributes[key] = text;
        }

        return attributes;
    }

    /// <summary>The fields of a message: length-delimited ones as their bytes, varints as their encoded bytes, fixed ones as their 4 or 8 bytes.</summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>)>();
        var position = 0;
        var span = message.Span;
        while (position < span.Length)
        {
            var key = ReadVarint(span, ref position);
            var field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    var start = position;
                    ReadVarint(span, ref position);
                    fields.Add((field, message[start..position]));
                    break;
                case 1:
                    fields.Add((field, message.Slice(position, 8)));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref position);
                    fields.Add((field, message.Slice(position, length)));
                    position += length;
                    break;
                case 5:
                    fields.Add((field, message.Slice(position, 4)));
                    position += 4;
                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {key & 7}");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = span[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
    }

    private static ulong VarintValue(ReadOnlyMemory<byte> bytes)
    {
        var position = 0;
        return ReadVarint(bytes.Span, ref position);
    }

    private static string String(ReadOnlyMemory<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes.Span);
}

using System.Globalization;

namespace Cerebro.BenchmarkAgent.Shapes;

/// <summary>
/// A task graph the benchmark agent declares, written as <c>kind:size[@prefix]</c>: <c>chain:200</c>, <c>fan:2000</c>,
/// <c>layers:10x50</c>, <c>graph:100000</c>, <c>hold:10000</c>, <c>fan:10@load</c>. Task names start with the prefix
/// (the kind by default), so several shapes can be declared by one agent. The benchmark harness links this file too,
/// so both sides agree on the names.
/// </summary>
public sealed record BenchShape(ShapeKind Kind, int Size, int Width, string Prefix)
{
    /// <summary>Edges of a <see cref="ShapeKind.Graph"/> task reach at most this far back, so the graph is deep as well as wide.</summary>
    private const int GraphWindow = 1000;

    /// <summary>The task a run is triggered with (the last of a chain, the join otherwise); null for a declared-only graph.</summary>
    public string? Root => Kind switch
    {
        ShapeKind.Chain => Name(Size - 1),
        ShapeKind.Graph => null,
        _ => JoinName,
    };

    /// <summary>How many task runs one run of <see cref="Root"/> has.</summary>
    public int TaskRunsPerRun => Kind switch
    {
        ShapeKind.Chain => Size,
        ShapeKind.Layers => (Size * Width) + 1,
        ShapeKind.Graph => 0,
        _ => Size + 1,
    };

    /// <summary>How many tasks the shape declares.</summary>
    public int TaskCount => Kind switch
    {
        ShapeKind.Chain or ShapeKind.Graph => Size,
        ShapeKind.Layers => (Size * Width) + 1,
        _ => Size + 1,
    };

    /// <summary>Whether the handlers of the shape's non-join tasks wait until cancelled instead of finishing.</summary>
    public bool Holds => Kind == ShapeKind.Hold;

    /// <summary>The join task of a fan, hold or layers shape.</summary>
    public string JoinName => $"{Prefix}-join";

    /// <summary>The spec this shape was parsed from, normalized.</summary>
    public string Spec => Kind switch
    {
        ShapeKind.Layers => $"layers:{Size}x{Width}",
        _ => $"{Kind.ToString().ToLowerInvariant()}:{Size}",
    } + (Prefix == DefaultPrefix(Kind) ? "" : $"@{Prefix}");

    /// <summary>Parses one <c>kind:size[@prefix]</c>.</summary>
    public static BenchShape Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = spec.Trim();
        var prefix = (string?)null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            prefix = text[(at + 1)..];
            text = text[..at];
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
            throw new FormatException($"shape '{spec}': expected kind:size, e.g. chain:200, fan:2000, layers:10x50, graph:10000, hold:10000");
        if (!Enum.TryParse<ShapeKind>(text[..colon], ignoreCase: true, out var kind))
            throw new FormatException($"shape '{spec}': unknown kind '{text[..colon]}'");
        var size = text[(colon + 1)..];
        int layers = 1, width = 1;
        if (kind == ShapeKind.Layers)
        {
            var parts = size.Split('x', 2);
            if (parts.Length != 2 || !TryCount(parts[0], out layers) || !TryCount(parts[1], out width))
                throw new FormatException($"shape '{spec}': layers need LAYERSxWIDTH, e.g. layers:10x50");
        }
        else if (!TryCount(size, out layers))
        {
            throw new FormatException($"shape '{spec}': size '{size}' is not a positive integer");
        }

        prefix ??= DefaultPrefix(kind);
        if (prefix.Length == 0 || !prefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            throw new FormatException($"shape '{spec}': prefix '{prefix}' must be lower-case letters, digits and '-'");
        return new BenchShape(kind, layers, width, prefix);
    }

    /// <summary>Parses a comma-separated list of shapes.</summary>
    public static IReadOnlyList<BenchShape> ParseList(string specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        return [.. specs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];
    }

    /// <summary>The name of the i-th task of a chain, fan, hold or graph.</summary>
    public string Name(int i) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{i:D6}");

    /// <summary>The name of task <paramref name="i"/> of layer <paramref name="layer"/>.</summary>
    public string LayerName(int layer, int i) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}-{layer:D3}-{i:D4}");

    /// <summary>Every task of the shape, upstreams before downstreams.</summary>
    public IEnumerable<ShapeTask> Tasks()
    {
        switch (Kind)
        {
            case ShapeKind.Chain:
                for (var i = 0; i < Size; i++)
                    yield return new ShapeTask(Name(i), i == 0 ? [] : [Name(i - 1)]);
                break;
            case ShapeKind.Fan or ShapeKind.Hold:
                var leaves = new string[Size];
                for (var i = 0; i < Size; i++)
                {
                    leaves[i] = Name(i);
                    yield return new ShapeTask(leaves[i], []);
                }

                yield return new ShapeTask(JoinName, leaves);
                break;
            case ShapeKind.Layers:
                string[] previous = [];
                for (var layer = 0; layer < Size; layer++)
                {
                    var current = new string[Width];
                    for (var i = 0; i < Width; i++)
                    {
                        current[i] = LayerName(layer, i);
                        yield return new ShapeTask(current[i], previous);
                    }

                    previous = current;
                }

                yield return new ShapeTask(JoinName, previous);
                break;
            case ShapeKind.Graph:
                // Deterministic, so the agent and the in-process micro-benchmarks build the same graph.
                var random = new Random(20261122);
                for (var i = 0; i < Size; i++)
                {
                    if (i == 0)
                    {
                        yield return new ShapeTask(Name(0), []);
                        continue;
                    }

                    var low = Math.Max(0, i - GraphWindow);
                    var first = random.Next(low, i);
                    if (i > 1 && random.Next(2) == 0)
                    {
                        var second = random.Next(low, i);
                        if (second == first)
                            second = first == i - 1 ? low : i - 1;
                        yield return new ShapeTask(Name(i), [Name(first), Name(second)]);
                    }
                    else
                    {
                        yield return new ShapeTask(Name(i), [Name(first)]);
                    }
                }

                break;
            default:
                throw new InvalidOperationException($"unknown shape kind {Kind}");
        }
    }

    private static string DefaultPrefix(ShapeKind kind) => kind.ToString().ToLowerInvariant();

    private static bool TryCount(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}

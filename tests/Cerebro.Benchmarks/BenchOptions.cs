using System.Globalization;

namespace Cerebro.Benchmarks;

/// <summary>The command line (see README.md or <c>--help</c>).</summary>
public sealed class BenchOptions
{
    public static readonly string[] AllShapes = ["floors", "chain", "fan", "layers", "runs", "declare", "graphsize", "memory", "profile"];

    public const string Usage = """
        Cerebro benchmarks: end-to-end shapes against real RabbitMQ and PostgreSQL, and in-process micro-benchmarks.

          dotnet Cerebro.Benchmarks.dll [e2e|micro|all] [options]        (scripts/bench.sh builds and runs it)

          e2e                 the end-to-end shapes only (default: all = e2e, then micro)
          micro               the BenchmarkDotNet micro-benchmarks of Cerebro.Domain only
          --shapes LIST       comma-separated, any of: floors,chain,fan,layers,runs,declare,graphsize,memory,profile
                              (default: all of them; floors are measured whenever a shape needs them)
          --reps N            repetitions per figure (default 5)
          --warmup N          task runs each Cerebro serves before a timed shape is measured (default 2000): the
                              .NET runtime keeps re-compiling hot code for the first thousand or so
          --load-rate N       background task-state transitions per second for the loaded hop latency (default 1000)
          --shape-timeout S   seconds one shape may take before it is reported as timed out (default 900)
          --timeout S         seconds the whole end-to-end part may take (default 3600)
          --chain N           chain length (default 200); --fan N (default 2000); --layers LxW (default 10x50)
          --declare-sizes L   graph sizes to declare (default 10000,100000)
          --in-flight N       task runs held in flight for the memory figure (default 10000)
          --server DLL        Cerebro.Server.dll to run (default: src/Cerebro.Server/bin/Release/net10.0)
          --agent DLL         Cerebro.BenchmarkAgent.dll to run (default: tests/Cerebro.BenchmarkAgent/bin/Release/net10.0)
          --out DIR           results and process logs (default: .artifacts/bench/<time>)
          --keep              keep the virtual hosts and databases (for a look afterwards)
          --server-env K=V    an extra environment variable for every Cerebro.Server started (repeatable),
                              e.g. DOTNET_gcServer=0 to compare garbage collectors
          --perf              with the profile shape: sample Cerebro's CPU with Linux perf (if installed) and list
                              the hottest frames
        """;

    public string Command { get; private set; } = "all";
    public HashSet<string> Shapes { get; private set; } = [.. AllShapes];
    public int Reps { get; private set; } = 5;
    public int WarmupTaskRuns { get; private set; } = 2000;
    public double LoadRate { get; private set; } = 1000;
    public TimeSpan ShapeTimeout { get; private set; } = TimeSpan.FromSeconds(900);
    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(3600);
    public int ChainLength { get; private set; } = 200;
    public int FanSize { get; private set; } = 2000;
    public int LayerCount { get; private set; } = 10;
    public int LayerWidth { get; private set; } = 50;
    public IReadOnlyList<int> DeclareSizes { get; private set; } = [10_000, 100_000];
    public int InFlight { get; private set; } = 10_000;
    public string? ServerAssembly { get; private set; }
    public string? AgentAssembly { get; private set; }
    public string? OutputDirectory { get; private set; }
    public bool Keep { get; private set; }
    public Dictionary<string, string> ServerEnvironment { get; } = new(StringComparer.Ordinal);
    public bool Perf { get; private set; }
    public bool Help { get; private set; }
    public string[] MicroArguments { get; private set; } = [];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var micro = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            switch (arg)
            {
                case "e2e" or "micro" or "all":
                    options.Command = arg;
                    break;
                case "-h" or "--help":
                    options.Help = true;
                    break;
                case "--shapes":
                    var shapes = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                    var unknown = shapes.Except(AllShapes).ToList();
                    if (unknown.Count > 0)
                        throw new ArgumentException($"unknown shape(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllShapes)}");
                    options.Shapes = shapes;
                    break;
                case "--reps":
                    options.Reps = Positive(Next(), arg);
                    break;
                case "--warmup":
                    options.WarmupTaskRuns = Positive(Next(), arg);
                    break;
                case "--load-rate":
                    options.LoadRate = Positive(Next(), arg);
                    break;
                case "--shape-timeout":
                    options.ShapeTimeout = TimeSpan.FromSeconds(Positive(Next(), arg));
                    break;
                case "--timeout":
                    options.Timeout = TimeSpan.FromSeconds(Positive(Next(), arg));
                    break;
                case "--chain":
                    options.ChainLength = Positive(Next(), arg);
                    break;
                case "--fan":
                    options.FanSize = Positive(Next(), arg);
                    break;
                case "--layers":
                    var parts = Next().Split('x');
                    if (parts.Length != 2)
                        throw new ArgumentException("--layers takes LAYERSxWIDTH, e.g. 10x50");
                    options.LayerCount = Positive(parts[0], arg);
                    options.LayerWidth = Positive(parts[1], arg);
                    break;
                case "--declare-sizes":
                    options.DeclareSizes = [.. Next().Split(',').Select(s => Positive(s, arg))];
                    break;
                case "--in-flight":
                    options.InFlight = Positive(Next(), arg);
                    break;
                case "--server":
                    options.ServerAssembly = Path.GetFullPath(Next());
                    break;
                case "--agent":
                    options.AgentAssembly = Path.GetFullPath(Next());
                    break;
                case "--out":
                    options.OutputDirectory = Path.GetFullPath(Next());
                    break;
                case "--keep":
                    options.Keep = true;
                    break;
                case "--perf":
                    options.Perf = true;
                    break;
                case "--server-env":
                    var pair = Next().Split('=', 2);
                    if (pair.Length != 2 || pair[0].Length == 0)
                        throw new ArgumentException("--server-env takes NAME=VALUE");
                    options.ServerEnvironment[pair[0]] = pair[1];
                    break;
                default:
                    // Anything else goes to BenchmarkDotNet (e.g. --filter '*Plan*').
                    micro.Add(arg);
                    break;
            }
        }

        options.MicroArguments = [.. micro];
        return options;
    }

    private static int Positive(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} takes a positive integer, not '{text}'");
}

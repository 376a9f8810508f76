namespace Cerebro.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) =>
        CerebroCli.RunAsync(args, http: null, Console.Out, Console.Error, CancellationToken.None);
}

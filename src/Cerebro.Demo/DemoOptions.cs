namespace Cerebro.Demo;

/// <summary>What the demo run does, from the "Demo" configuration section (e.g. --Demo:Fail=build-sales).</summary>
internal sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>The task the demo triggers; its upstreams run first.</summary>
    public string Task { get; set; } = "publish-dashboard";

    /// <summary>How long each demo task works.</summary>
    public int DurationMs { get; set; } = 400;

    /// <summary>Comma-separated task names that must fail, to watch what a failure blocks and what still runs.</summary>
    public string? Fail { get; set; }

    /// <summary>Skip the demo run: just serve the API with the agents attached.</summary>
    public bool NoRun { get; set; }
}

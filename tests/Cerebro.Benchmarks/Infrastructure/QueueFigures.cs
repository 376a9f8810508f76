namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>One queue as the management API shows it (statistics lag the broker by up to its collection interval, 5 s).</summary>
public sealed record QueueFigures(string Name, long Messages, long Consumers, long Published, long Delivered);

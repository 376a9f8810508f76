namespace Cerebro.Benchmarks.Reporting;

/// <summary>Which way a figure improves: it decides how a target is met and how the ratio to the floor is taken.</summary>
public enum Better
{
    /// <summary>A time or a size: the ratio is figure / floor.</summary>
    Lower,

    /// <summary>A rate: the ratio is floor / figure.</summary>
    Higher,
}

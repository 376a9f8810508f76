using System.Globalization;

namespace Cerebro.Benchmarks.Reporting;

/// <summary>One row of the results table: the value of every repetition, its target and the physical floor it compares with.</summary>
public sealed class Figure(string id, string title, string unit, Better better, double? target, string? targetText = null)
{
    public string Id { get; } = id;
    public string Title { get; } = title;
    public string Unit { get; } = unit;
    public Better Better { get; } = better;
    public double? Target { get; } = target;
    public string? TargetText { get; } = targetText;
    public List<double> Values { get; } = [];
    public double? Floor { get; set; }
    public string? FloorText { get; set; }

    /// <summary>Why the figure has no (or fewer) values: "timed out", an error, "not run".</summary>
    public string? Problem { get; set; }

    public string? Note { get; set; }

    public double Median => Reporting.Stats.Median(Values);

    public string TargetCell => TargetText ?? (Target is { } t ? $"{(Better == Better.Lower ? "≤" : "≥")} {Format(t)} {Unit}" : "");

    public string MetCell => Target is not { } t || Values.Count == 0
        ? ""
        : (Better == Better.Lower ? Median <= t : Median >= t) ? "yes" : "**no**";

    public string MedianCell => Values.Count == 0 ? (Problem ?? "not run") : $"{Format(Median)} {Unit}" + (Problem is null ? "" : $" ({Problem})");

    public string RangeCell => Values.Count == 0 ? "" : $"{Format(Values.Min())} – {Format(Values.Max())}";

    public string FloorCell => Floor is { } f ? $"{Format(f)} {Unit}" + (FloorText is null ? "" : $" ({FloorText})") : (FloorText ?? "");

    public string RatioCell
    {
        get
        {
            if (Floor is not { } f || f <= 0 || Values.Count == 0 || Median <= 0)
                return "";
            var ratio = Better == Better.Lower ? Median / f : f / Median;
            return string.Create(CultureInfo.InvariantCulture, $"{ratio:0.0}×");
        }
    }

    public static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        >= 1000 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.00", CultureInfo.InvariantCulture),
        _ => value.ToString("0.000", CultureInfo.InvariantCulture),
    };
}

using System.Reflection;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>The current test's name, for folders of logs.</summary>
internal static class TestNames
{
    // xunit 2 does not expose the test to its output helper's user; its TestOutputHelper keeps it in a private field.
    private static readonly FieldInfo? TestField = typeof(Xunit.Sdk.TestOutputHelper).GetField("test", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>The test's display name without the assembly's namespace, or null when it cannot be told.</summary>
    public static string? Of(ITestOutputHelper? output) =>
        output is not null && TestField?.GetValue(output) is ITest test
            ? test.DisplayName.Replace("Cerebro.IntegrationTests.", "", StringComparison.Ordinal)
            : null;

    /// <summary>A name made safe and short enough for a file or folder.</summary>
    public static string ToFileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string(name.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) || c is '"' or '\'' ? '_' : c).ToArray());
        return safe.Length <= 150 ? safe : safe[..150];
    }
}

using System.Text.RegularExpressions;

namespace Cerebro.Worker.Internal;

/// <summary>The protocol's name rules (protocol/README.md section 4).</summary>
internal static partial class Names
{
    public const int MaxOwnerLength = 128;

    public static bool IsValidAgent(string? name) => name is not null && AgentPattern().IsMatch(name);

    public static bool IsValidTask(string? name) => name is not null && TaskPattern().IsMatch(name);

    public static bool IsValidOwner(string? owner) => !string.IsNullOrWhiteSpace(owner) && owner.Length <= MaxOwnerLength;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex AgentPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TaskPattern();
}

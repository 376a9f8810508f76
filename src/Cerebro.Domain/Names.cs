using System.Runtime.CompilerServices;

namespace Cerebro.Domain;

/// <summary>
/// The naming rules of the protocol. Agent names become routing-key prefixes, so they have no dots; task names may.
/// Checked by hand rather than by regex: no allocation, and no trailing-newline surprise of <c>$</c>.
/// </summary>
public static class Names
{
    /// <summary>The longest agent name.</summary>
    public const int MaxAgentNameLength = 63;

    /// <summary>The longest task name.</summary>
    public const int MaxTaskNameLength = 128;

    /// <summary>The longest owner.</summary>
    public const int MaxOwnerLength = 128;

    /// <summary>The agent name rule, for messages.</summary>
    public const string AgentNamePattern = "^[a-z0-9][a-z0-9-]{0,62}$";

    /// <summary>The task name rule, for messages.</summary>
    public const string TaskNamePattern = "^[a-z0-9][a-z0-9._-]{0,127}$";

    /// <summary>True when <paramref name="s"/> matches <see cref="AgentNamePattern"/>.</summary>
    /// <param name="s">The candidate name; null is invalid.</param>
    public static bool IsValidAgentName(string? s)
    {
        if (s is null || s.Length is 0 or > MaxAgentNameLength || !IsLowerAlphanumeric(s[0]))
        {
            return false;
        }

        for (var i = 1; i < s.Length; i++)
        {
            var c = s[i];
            if (!IsLowerAlphanumeric(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    // Per-task methods are optimized at once, not tiered up: see the remarks on GraphBuilder.
    /// <summary>True when <paramref name="s"/> matches <see cref="TaskNamePattern"/>.</summary>
    /// <param name="s">The candidate name; null is invalid.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsValidTaskName(string? s)
    {
        if (s is null || s.Length is 0 or > MaxTaskNameLength || !IsLowerAlphanumeric(s[0]))
        {
            return false;
        }

        for (var i = 1; i < s.Length; i++)
        {
            var c = s[i];
            if (!IsLowerAlphanumeric(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerAlphanumeric(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>The user name and password in a URI's user info, unescaped (guest/guest when absent, as RabbitMQ's default).</summary>
internal readonly record struct UserInfo(string User, string Password)
{
    public static UserInfo Parse(Uri uri)
    {
        if (uri.UserInfo.Length == 0)
            return new UserInfo("guest", "guest");
        var parts = uri.UserInfo.Split(':', 2);
        return new UserInfo(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }

    /// <summary>The escaped <c>user:password</c> form for building a URI.</summary>
    public string ToUriUserInfo() => $"{Uri.EscapeDataString(User)}:{Uri.EscapeDataString(Password)}";
}

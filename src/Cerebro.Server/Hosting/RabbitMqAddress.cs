namespace Cerebro.Server.Hosting;

/// <summary>The parts of an amqp:// URI (vhost included, URL-encoded as in <c>%2F</c>) as MassTransit's host configurator wants them.</summary>
public sealed record RabbitMqAddress(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    public static RabbitMqAddress Parse(string uri)
    {
        var parsed = new Uri(uri);
        if (parsed.Scheme is not ("amqp" or "rabbitmq"))
            throw new FormatException($"'{parsed.Scheme}' is not an amqp URI scheme");
        var path = parsed.AbsolutePath.TrimStart('/');
        var vhost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        var userInfo = parsed.UserInfo.Split(':', 2);
        var user = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest";
        var password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest";
        return new RabbitMqAddress(parsed.Host, parsed.Port > 0 ? (ushort)parsed.Port : (ushort)5672, vhost, user, password);
    }
}

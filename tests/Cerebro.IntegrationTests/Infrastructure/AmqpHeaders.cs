using System.Text;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>AMQP header values as text: the RabbitMQ client hands string headers over as long-string bytes.</summary>
public static class AmqpHeaders
{
    public static string? Text(IEnumerable<KeyValuePair<string, object?>>? headers, string name)
    {
        var value = headers?.FirstOrDefault(h => h.Key == name).Value;
        return value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => value.ToString(),
        };
    }
}

using System.Net.Http.Headers;
using System.Text;

namespace Cerebro.IntegrationTests.Worker.Support;

/// <summary>
/// A fresh RabbitMQ virtual host per test class, made and deleted through the management HTTP API. The broker comes
/// from CEREBRO_TEST_RABBITMQ (default amqp://guest:guest@127.0.0.1:5672/); the management API from
/// CEREBRO_TEST_RABBITMQ_MANAGEMENT (default http://&lt;same host&gt;:15672/ with the same credentials).
/// </summary>
public sealed class WorkerBrokerFixture : IAsyncLifetime
{
    private readonly Uri _broker = new(Environment.GetEnvironmentVariable("CEREBRO_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/");
    private readonly HttpClient _management;

    public WorkerBrokerFixture()
    {
        var management = Environment.GetEnvironmentVariable("CEREBRO_TEST_RABBITMQ_MANAGEMENT") is { Length: > 0 } configured
            ? new Uri(configured)
            : new Uri($"http://{_broker.Host}:15672/");
        var userInfo = (management.UserInfo.Length > 0 ? management.UserInfo : _broker.UserInfo).Split(':', 2);
        User = Uri.UnescapeDataString(userInfo[0]);
        _management = new HttpClient { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority) + "/api/"), Timeout = TimeSpan.FromSeconds(30) };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Uri.UnescapeDataString(userInfo.ElementAtOrDefault(1) ?? "")}")));
    }

    public string VirtualHost { get; } = $"cerebro-worker-test-{Guid.NewGuid():N}";

    public string User { get; }

    /// <summary>The AMQP URI of the test's virtual host.</summary>
    public string AmqpUri => new UriBuilder(_broker) { Path = "/" + Uri.EscapeDataString(VirtualHost) }.Uri.AbsoluteUri;

    public async Task InitializeAsync()
    {
        var vhost = Uri.EscapeDataString(VirtualHost);
        (await _management.PutAsync($"vhosts/{vhost}", Json("{}"))).EnsureSuccessStatusCode();
        (await _management.PutAsync($"permissions/{vhost}/{Uri.EscapeDataString(User)}",
            Json("""{"configure":".*","write":".*","read":".*"}"""))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _management.DeleteAsync($"vhosts/{Uri.EscapeDataString(VirtualHost)}");
        }
        finally
        {
            _management.Dispose();
        }
    }

    /// <summary>Closes the broker connections of the virtual host whose client-provided name does not start with the prefix.</summary>
    public async Task<int> CloseConnectionsExceptAsync(string keepPrefix)
    {
        using var response = await _management.GetAsync($"vhosts/{Uri.EscapeDataString(VirtualHost)}/connections");
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var closed = 0;
        foreach (var connection in json.RootElement.EnumerateArray())
        {
            var clientName = connection.TryGetProperty("client_properties", out var properties)
                && properties.TryGetProperty("connection_name", out var value) ? value.GetString() : null;
            if (clientName?.StartsWith(keepPrefix, StringComparison.Ordinal) == true)
                continue;
            (await _management.DeleteAsync($"connections/{Uri.EscapeDataString(connection.GetProperty("name").GetString()!)}")).EnsureSuccessStatusCode();
            closed++;
        }

        return closed;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

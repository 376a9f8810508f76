using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>
/// The few calls of the RabbitMQ management HTTP API the tests need (<see cref="TestSettings.RabbitMqManagement"/>).
/// Queue figures come from the management statistics, which lag the broker by up to a few seconds: poll them.
/// </summary>
public sealed class RabbitMqManagement
{
    private readonly HttpClient _http;

    private RabbitMqManagement(Uri baseUri)
    {
        _http = new HttpClient { BaseAddress = new Uri(baseUri.GetLeftPart(UriPartial.Authority) + "/api/"), Timeout = TimeSpan.FromSeconds(30) };
        var credentials = UserInfo.Parse(baseUri);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.User}:{credentials.Password}")));
    }

    /// <summary>The client of the test broker's management API, shared by every test.</summary>
    public static RabbitMqManagement Shared { get; } = new(TestSettings.RabbitMqManagement);

    /// <summary>Creates a virtual host and gives <paramref name="user"/> every permission on it.</summary>
    public async Task CreateVirtualHostAsync(string name, string user, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Put, $"vhosts/{Escape(name)}", new { }, cancellationToken);
        await SendAsync(HttpMethod.Put, $"permissions/{Escape(name)}/{Escape(user)}", new { configure = ".*", write = ".*", read = ".*" }, cancellationToken);
    }

    /// <summary>Deletes a virtual host with everything in it; one that does not exist is fine.</summary>
    public Task DeleteVirtualHostAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"vhosts/{Escape(name)}", null, cancellationToken, allowNotFound: true);

    /// <summary>Whether a virtual host exists.</summary>
    public async Task<bool> VirtualHostExistsAsync(string name, CancellationToken cancellationToken = default) =>
        await GetAsync($"vhosts/{Escape(name)}", cancellationToken) is not null;

    /// <summary>
    /// A queue as the management API shows it (<c>messages</c>, <c>messages_unacknowledged</c>, <c>consumers</c>, ...),
    /// or null when it does not exist.
    /// </summary>
    public Task<JsonElement?> GetQueueAsync(string virtualHost, string queue, CancellationToken cancellationToken = default) =>
        GetAsync($"queues/{Escape(virtualHost)}/{Escape(queue)}", cancellationToken);

    /// <summary>
    /// Closes every client connection to a virtual host (as a broker restart or a network cut would), returning how
    /// many there were. Clients see a connection-forced close and are expected to reconnect.
    /// </summary>
    public async Task<int> CloseConnectionsAsync(string virtualHost, CancellationToken cancellationToken = default)
    {
        var connections = await GetAsync($"vhosts/{Escape(virtualHost)}/connections", cancellationToken);
        var closed = 0;
        foreach (var connection in connections?.EnumerateArray() ?? default)
        {
            var name = connection.GetProperty("name").GetString()!;
            await SendAsync(HttpMethod.Delete, $"connections/{Escape(name)}", null, cancellationToken, allowNotFound: true);
            closed++;
        }

        return closed;
    }

    private async Task<JsonElement?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureSuccessAsync(response, HttpMethod.Get, path, cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (allowNotFound && response.StatusCode == HttpStatusCode.NotFound)
            return;
        await EnsureSuccessAsync(response, method, path, cancellationToken);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new HttpRequestException(
            $"RabbitMQ management API: {method} /api/{path} answered {(int)response.StatusCode} {response.ReasonPhrase}: {text}",
            null, response.StatusCode);
    }

    // Every path segment is escaped: a virtual host or a connection name may hold '/', spaces, ':' or '>'.
    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}

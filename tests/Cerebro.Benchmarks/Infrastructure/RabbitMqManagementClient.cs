using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>The few calls of the RabbitMQ management API the benchmark needs: virtual hosts and queue figures.</summary>
public sealed class RabbitMqManagementClient : IDisposable
{
    private readonly HttpClient _http;

    public RabbitMqManagementClient(Uri baseUri)
    {
        _http = new HttpClient { BaseAddress = new Uri(baseUri.GetLeftPart(UriPartial.Authority) + "/api/"), Timeout = TimeSpan.FromSeconds(30) };
        var userInfo = baseUri.UserInfo.Split(':', 2);
        var user = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest";
        var password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest";
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        User = user;
    }

    /// <summary>The user the management API is called as, given every permission on the virtual hosts made here.</summary>
    public string User { get; }

    public async Task CreateVirtualHostAsync(string name, CancellationToken cancellationToken)
    {
        await SendAsync(HttpMethod.Put, $"vhosts/{Escape(name)}", new { }, cancellationToken).ConfigureAwait(false);
        await SendAsync(HttpMethod.Put, $"permissions/{Escape(name)}/{Escape(User)}", new { configure = ".*", write = ".*", read = ".*" }, cancellationToken)
            .ConfigureAwait(false);
    }

    public Task DeleteVirtualHostAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"vhosts/{Escape(name)}", null, cancellationToken, allowNotFound: true);

    /// <summary>Every queue of a virtual host: name, messages (ready + unacknowledged), consumers and cumulative publish count.</summary>
    public async Task<IReadOnlyList<QueueFigures>> GetQueuesAsync(string virtualHost, CancellationToken cancellationToken)
    {
        var queues = await GetAsync($"queues/{Escape(virtualHost)}?columns=name,messages,consumers,message_stats.publish,message_stats.deliver_get", cancellationToken)
            .ConfigureAwait(false);
        if (queues is not { ValueKind: JsonValueKind.Array } array)
            return [];
        return [.. array.EnumerateArray().Select(q => new QueueFigures(
            q.GetProperty("name").GetString()!,
            Number(q, "messages"),
            Number(q, "consumers"),
            q.TryGetProperty("message_stats", out var stats) ? Number(stats, "publish") : 0,
            q.TryGetProperty("message_stats", out var stats2) ? Number(stats2, "deliver_get") : 0))];
    }

    public void Dispose() => _http.Dispose();

    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private async Task<JsonElement?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureSuccessAsync(response, HttpMethod.Get, path, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (allowNotFound && response.StatusCode == HttpStatusCode.NotFound)
            return;
        await EnsureSuccessAsync(response, method, path, cancellationToken).ConfigureAwait(false);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw new HttpRequestException($"RabbitMQ management: {method} /api/{path} answered {(int)response.StatusCode}: {text}", null, response.StatusCode);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}

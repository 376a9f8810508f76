using RabbitMQ.Client;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh virtual host <c>cerebro-test-&lt;guid&gt;</c> on the test broker, so a test sees no queue, exchange or
/// message of another; the broker's user gets every permission on it. Deleted (with all it holds) on dispose.
/// </summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private RabbitMqVirtualHost(string name)
    {
        Name = name;
        var broker = TestSettings.RabbitMq;
        var port = broker.IsDefaultPort ? "" : $":{broker.Port}";
        AmqpUri = new Uri($"{broker.Scheme}://{UserInfo.Parse(broker).ToUriUserInfo()}@{broker.Host}{port}/{Uri.EscapeDataString(name)}");
    }

    /// <summary>The virtual host's name.</summary>
    public string Name { get; }

    /// <summary>AMQP URI of the virtual host (name URL-encoded), for <c>ConnectionStrings__RabbitMq</c> and clients.</summary>
    public Uri AmqpUri { get; }

    /// <summary>The management API of the test broker, e.g. to look at a queue of this virtual host.</summary>
    public RabbitMqManagement Management { get; } = RabbitMqManagement.Shared;

    /// <summary>Creates the virtual host and grants the broker's user configure, write and read on it.</summary>
    public static async Task<RabbitMqVirtualHost> CreateAsync(CancellationToken cancellationToken = default)
    {
        var vhost = new RabbitMqVirtualHost($"cerebro-test-{Guid.NewGuid()}");
        await vhost.Management.CreateVirtualHostAsync(vhost.Name, UserInfo.Parse(TestSettings.RabbitMq).User, cancellationToken);
        return vhost;
    }

    /// <summary>An open AMQP connection to the virtual host; the caller disposes it.</summary>
    public Task<IConnection> ConnectAsync(string? clientName = null, CancellationToken cancellationToken = default) =>
        new ConnectionFactory { Uri = AmqpUri, ClientProvidedName = clientName ?? "cerebro-integration-test" }
            .CreateConnectionAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await Management.DeleteVirtualHostAsync(Name);
}

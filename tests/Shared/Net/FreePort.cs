using System.Net;
using System.Net.Sockets;

namespace Cerebro.Tests.Shared.Net;

/// <summary>Loopback TCP ports for servers a test starts.</summary>
public static class FreePort
{
    /// <summary>
    /// A port on 127.0.0.1 that was free a moment ago (the kernel picks it from the ephemeral range, so two calls
    /// rarely collide); bind it soon.
    /// </summary>
    public static int Next()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}

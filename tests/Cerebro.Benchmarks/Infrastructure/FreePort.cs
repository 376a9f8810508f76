using System.Net;
using System.Net.Sockets;

namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>A loopback TCP port that was free a moment ago.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}

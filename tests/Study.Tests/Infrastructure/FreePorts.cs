using System.Net;
using System.Net.Sockets;

namespace Study.Tests.Infrastructure;

/// <summary>Ports nothing listens on now, for the servers a test starts (silos, PostgreSQL). A port is handed out
/// once a test run: the system gives a port just released again at once, and two servers of one test were given the
/// same one (a silo's metrics port and another's gateway).</summary>
public static class FreePorts
{
    static readonly HashSet<int> given = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (given) if (given.Add(port)) return port;
        }
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>A free port whose next two are free too (the Aspire Dashboard's pages, OTLP/gRPC and OTLP/HTTP).</summary>
    public static int NextOfThree()
    {
        for (int i = 0; i < 50; i++)
        {
            int port = Next();
            if (port < 65000 && IsFree(port + 1) && IsFree(port + 2))
            {
                lock (given) if (given.Add(port + 1) && given.Add(port + 2)) return port;
            }
        }
        throw new InvalidOperationException("no three free ports in a row");
    }
}

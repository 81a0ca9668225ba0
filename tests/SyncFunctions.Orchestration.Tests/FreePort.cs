using System.Net;
using System.Net.Sockets;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>
/// A loopback port nothing listens on now, for the Durable test host's gRPC sidecar: left to itself it picks a random
/// port between 30000 and 40000 without checking, where Azurite's and the other test hosts' ports also fall.
/// </summary>
internal static class FreePort
{
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

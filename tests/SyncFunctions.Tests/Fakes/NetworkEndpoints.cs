using System.Net;
using System.Net.Sockets;

namespace SyncFunctions.Tests.Fakes;

/// <summary>
/// A TCP endpoint on 127.0.0.1 that accepts every connection and never answers: it reads nothing and writes nothing
/// until it is disposed (a hung service, a wrong port holding a non-HTTP server). Thread-safe.
/// </summary>
public sealed class HungEndpoint : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _clients = [];
    private readonly TaskCompletionSource _firstAccepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _accepting;

    public HungEndpoint()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Connections accepted so far.</summary>
    public int Accepted
    {
        get
        {
            lock (_clients)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>Completes when the first connection was accepted.</summary>
    public Task FirstAccepted => _firstAccepted.Task;

    public void Dispose()
    {
        _listener.Stop();
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
            _clients.Clear();
        }

        _accepting.Wait(TimeSpan.FromSeconds(10));
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync();
                lock (_clients)
                {
                    _clients.Add(client);
                }

                _firstAccepted.TrySetResult();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped.
        }
    }
}

/// <summary>
/// A TCP endpoint on 127.0.0.1 whose connects hang: a listening socket with a backlog of 0 that never accepts, its
/// one queue slot taken. Linux then drops further SYNs (the accept queue is full), as a black-holed address or a
/// firewall that drops packets does, so a client sees no answer at all, not a refusal. Thread-safe.
/// </summary>
public sealed class BlackHoleEndpoint : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Socket _filler = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    private BlackHoleEndpoint()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
    }

    public int Port { get; }

    /// <summary>Listens and fills the accept queue; connects to <see cref="Port"/> hang from then on.</summary>
    public static async Task<BlackHoleEndpoint> StartAsync()
    {
        var endpoint = new BlackHoleEndpoint();
        await endpoint._filler.ConnectAsync(IPAddress.Loopback, endpoint.Port);
        return endpoint;
    }

    public void Dispose()
    {
        _filler.Dispose();
        _listener.Dispose();
    }
}

/// <summary>Ports on 127.0.0.1 with nothing listening: a connect is refused at once.</summary>
public static class ClosedPort
{
    /// <summary>A port that was free a moment ago (bound, noted, released).</summary>
    public static int Find()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

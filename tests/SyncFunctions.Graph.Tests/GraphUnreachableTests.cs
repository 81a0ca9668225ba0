using System.Diagnostics;
using SyncFunctions.Abstractions;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Graph.Tests;

/// <summary>
/// A Graph base URL that never answers or refuses connections fails within the network timeout as Unreachable,
/// naming host:port and the cause; the caller's own cancellation stays a cancellation. Real sockets on 127.0.0.1.
/// </summary>
public sealed class GraphUnreachableTests
{
    /// <summary>A guard against hanging for the old 100 s (or forever), not a measurement.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task GetInfoAsync_EndpointAcceptsButNeverAnswers_ThrowsUnreachableWithinTheNetworkTimeout()
    {
        using var hung = new HungEndpoint();
        using var connection = GraphConnection.Create(new Uri(hung.Url, "/v1.0"), networkTimeout: TimeSpan.FromSeconds(2));
        var store = new GraphDriveStore(connection, GraphEndpoint.Parse("graph:drive1"));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<StorageException>(() => store.GetInfoAsync("a.txt", CancellationToken.None));

        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.Equal(StorageErrorKind.Unreachable, e.Kind);
        Assert.Contains($"127.0.0.1:{hung.Port} accepted the connection but sent no response within 2 s (network timeout)", e.Message, StringComparison.Ordinal);
        Assert.True(hung.Accepted >= 1);
    }

    [Fact]
    public async Task GetInfoAsync_NothingListens_ThrowsUnreachableConnectionRefused()
    {
        var port = ClosedPort.Find();
        using var connection = GraphConnection.Create(new Uri($"http://127.0.0.1:{port}/v1.0"), networkTimeout: TimeSpan.FromSeconds(30));
        var store = new GraphDriveStore(connection, GraphEndpoint.Parse("graph:drive1"));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<StorageException>(() => store.GetInfoAsync("a.txt", CancellationToken.None));

        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.Equal(StorageErrorKind.Unreachable, e.Kind);
        Assert.Equal($"Graph GET info of 'a.txt': cannot reach 127.0.0.1:{port} (connection refused)", e.Message);
    }

    [Fact]
    public async Task GetInfoAsync_CallerCancelsWhileTheEndpointHangs_ThrowsOperationCanceled()
    {
        using var hung = new HungEndpoint();
        using var connection = GraphConnection.Create(new Uri(hung.Url, "/v1.0"), networkTimeout: TimeSpan.FromSeconds(30));
        var store = new GraphDriveStore(connection, GraphEndpoint.Parse("graph:drive1"));
        using var cts = new CancellationTokenSource();
        var call = store.GetInfoAsync("a.txt", cts.Token);

        await hung.FirstAccepted.WaitAsync(Bound);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }
}

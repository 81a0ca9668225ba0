using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;
using Azure;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Network;
using SyncFunctions.Azure;
using SyncFunctions.Cli.Azurite;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>
/// Endpoints that cannot be reached or never answer fail within the network timeout as Unreachable, naming host:port
/// and the cause; the caller's own cancellation stays a cancellation. Real sockets on 127.0.0.1, no Azurite.
/// </summary>
public sealed class AzureUnreachableTests
{
    /// <summary>A guard against hanging for the old 100 s (or forever), not a measurement.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("blob")]
    [InlineData("table")]
    public async Task Call_EndpointAcceptsButNeverAnswers_ThrowsUnreachableWithinTheNetworkTimeout(string service)
    {
        using var hung = new HungEndpoint();
        using var connection = Connect(hung.Port, TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<StorageException>(() => CallAsync(service, connection, CancellationToken.None));

        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.Equal(StorageErrorKind.Unreachable, e.Kind);
        Assert.True(e.IsRetryable);
        Assert.Contains($"127.0.0.1:{hung.Port} accepted the connection but sent no response within 2 s (network timeout)", e.Message, StringComparison.Ordinal);
        Assert.True(hung.Accepted >= 1);
    }

    [Theory]
    [InlineData("blob")]
    [InlineData("table")]
    public async Task Call_NothingListens_ThrowsUnreachableConnectionRefusedAtOnce(string service)
    {
        var port = ClosedPort.Find();
        using var connection = Connect(port, TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<StorageException>(() => CallAsync(service, connection, CancellationToken.None));

        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.Equal(StorageErrorKind.Unreachable, e.Kind);
        Assert.Contains($"cannot reach 127.0.0.1:{port} (connection refused)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteInstance.AccountKey[..12], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInfoAsync_ConnectGetsNoAnswer_ThrowsUnreachableWithinTheConnectTimeout()
    {
        using var blackHole = await BlackHoleEndpoint.StartAsync();
        using var connection = Connect(blackHole.Port, TimeSpan.FromSeconds(4));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<StorageException>(() => CallAsync("blob", connection, CancellationToken.None));

        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.Equal(StorageErrorKind.Unreachable, e.Kind);
        Assert.Contains($"cannot reach 127.0.0.1:{blackHole.Port} (no connection within 2 s (connect timeout))", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInfoAsync_CallerCancelsWhileTheEndpointHangs_ThrowsOperationCanceled()
    {
        using var hung = new HungEndpoint();
        using var connection = Connect(hung.Port, TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        var call = CallAsync("blob", connection, cts.Token);

        await hung.FirstAccepted.WaitAsync(Bound);
        await cts.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public void Classify_RequestFailedAroundUnreachable_IsUnreachableWithItsMessage()
    {
        var unreachable = new EndpointUnreachableException("acct.blob.core.windows.net:443", "host not found");
        var failed = new RequestFailedException(unreachable.Message, unreachable);

        var e = AzureErrors.Classify(failed, "write 'a'");

        Assert.Equal((StorageErrorKind.Unreachable, "write 'a' failed: cannot reach acct.blob.core.windows.net:443 (host not found)"), (e.Kind, e.Message));
    }

    [Fact]
    public void Classify_NetworkTimeoutAroundNoResponse_IsUnreachable()
    {
        var noResponse = new NoResponseException("h:10000", TimeSpan.FromSeconds(30), null, CancellationToken.None);
        var timeout = new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:00:30.", new TaskCanceledException("canceled", noResponse));

        var e = AzureErrors.Classify(timeout, "read pair 'p'");

        Assert.Equal(StorageErrorKind.Unreachable, e.Kind);
        Assert.Equal("read pair 'p' failed: h:10000 accepted the connection but sent no response within 30 s (network timeout)", e.Message);
    }

    [Fact]
    public void Classify_TimeoutOrResetWithoutAMarker_StaysTransient()
    {
        var reset = new RequestFailedException("reset", new HttpRequestException("reset", new IOException("x", new SocketException((int)SocketError.ConnectionReset))));

        Assert.Equal(StorageErrorKind.Transient, AzureErrors.Classify(new TaskCanceledException("body read timed out")).Kind);
        Assert.Equal(StorageErrorKind.Transient, AzureErrors.Classify(reset).Kind);
    }

    private static AzureStorageConnection Connect(int port, TimeSpan networkTimeout) =>
        AzureStorageConnection.Create(AzuriteInstance.BuildConnectionString(port, port, port), networkTimeout: networkTimeout);

    private static async Task CallAsync(string service, AzureStorageConnection connection, CancellationToken cancellationToken)
    {
        if (service == "blob")
        {
            await BlobObjectStore.Create(connection, "box").GetInfoAsync("a.txt", cancellationToken);
        }
        else
        {
            await TableLedger.Create(connection).GetPairAsync("p1", cancellationToken);
        }
    }
}

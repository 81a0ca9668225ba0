using System.Net.Sockets;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Network;
using SyncFunctions.Core.Transfer;

namespace SyncFunctions.Tests.Abstractions;

/// <summary>Failures before any response are named (endpoint and cause); everything else passes through unchanged.</summary>
public sealed class ReachabilityHandlerTests
{
    private static readonly Uri Url = new("https://acct.blob.example.test:8443/box/a.txt?sv=2024&sig=SECRETSIG");

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "connection refused")]
    [InlineData(SocketError.HostNotFound, "host not found")]
    [InlineData(SocketError.TryAgain, "host not found")]
    [InlineData(SocketError.NetworkUnreachable, "network unreachable")]
    [InlineData(SocketError.HostUnreachable, "host unreachable")]
    [InlineData(SocketError.TimedOut, "connection timed out")]
    public async Task SendAsync_ConnectFails_ThrowsUnreachableNamingHostPortAndCause(SocketError code, string cause)
    {
        var failure = new HttpRequestException(HttpRequestError.ConnectionError, "connect failed", new SocketException((int)code));

        var e = await Assert.ThrowsAsync<EndpointUnreachableException>(() => SendAsync(_ => throw failure));

        Assert.Equal($"cannot reach acct.blob.example.test:8443 ({cause})", e.Message);
        Assert.Same(failure, e.InnerException);
    }

    [Fact]
    public async Task SendAsync_NameResolutionError_IsHostNotFound()
    {
        var e = await Assert.ThrowsAsync<EndpointUnreachableException>(
            () => SendAsync(_ => throw new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known")));

        Assert.Equal("host not found", e.Reason);
        Assert.Equal("acct.blob.example.test:8443", e.Endpoint);
    }

    [Fact]
    public async Task SendAsync_SocketHandlerTimesOutOnItsOwn_ThrowsConnectTimeout()
    {
        var e = await Assert.ThrowsAsync<EndpointUnreachableException>(
            () => SendAsync(_ => throw new TaskCanceledException("canceled", new TimeoutException("A connection could not be established within the configured ConnectTimeout."))));

        Assert.Equal("cannot reach acct.blob.example.test:8443 (no connection within 2 s (connect timeout))", e.Message);
    }

    [Fact]
    public async Task SendAsync_TokenCancelledBeforeTheResponse_ThrowsNoResponseWithTheSameToken()
    {
        using var cts = new CancellationTokenSource();
        var send = SendAsync(
            async ct =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return new HttpResponseMessage();
            },
            cts.Token);

        await cts.CancelAsync();
        var e = await Assert.ThrowsAsync<NoResponseException>(() => send);

        Assert.Equal(cts.Token, e.CancellationToken);
        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.Equal("acct.blob.example.test:8443 accepted the connection but sent no response within 5 s (network timeout)", e.Message);
    }

    [Fact]
    public async Task SendAsync_ResetWhileSending_PassesThroughUnchanged()
    {
        var reset = new HttpRequestException("reset", new IOException("broken", new SocketException((int)SocketError.ConnectionReset)));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(_ => throw reset));

        Assert.Same(reset, e);
    }

    [Fact]
    public async Task SendAsync_AnyFailure_NeverShowsPathOrQuery()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "x", new SocketException((int)SocketError.ConnectionRefused));

        var e = await Assert.ThrowsAsync<EndpointUnreachableException>(() => SendAsync(_ => throw refused));

        Assert.DoesNotContain("SECRETSIG", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a.txt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreachableMessage_MarkerDeepInTheChain_IsFound()
    {
        var marker = new NoResponseException("h:1", TimeSpan.FromSeconds(30), null, CancellationToken.None);
        var wrapped = new TaskCanceledException("outer", new TimeoutException("middle", marker));

        Assert.Equal("h:1 accepted the connection but sent no response within 30 s (network timeout)", ReachabilityHandler.UnreachableMessage(wrapped));
        Assert.Null(ReachabilityHandler.UnreachableMessage(new TaskCanceledException("plain", new TimeoutException())));
    }

    [Theory]
    [InlineData(30, 10)]
    [InlineData(2, 1)]
    [InlineData(3600, 10)]
    public void ConnectTimeoutFor_NetworkTimeout_IsHalfAtMostTenSeconds(int networkSeconds, double connectSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(connectSeconds), ReachabilityHandler.ConnectTimeoutFor(TimeSpan.FromSeconds(networkSeconds)));
    }

    [Fact]
    public void ConnectTimeoutFor_ZeroOrInfinite_ThrowsOrCaps()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReachabilityHandler.ConnectTimeoutFor(TimeSpan.Zero));
        Assert.Equal(ReachabilityHandler.MaxConnectTimeout, ReachabilityHandler.ConnectTimeoutFor(Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void IsRetryable_Unreachable_IsRetriedLikeTransient()
    {
        Assert.True(new StorageException(StorageErrorKind.Unreachable, "x").IsRetryable);
        Assert.True(new StorageException(StorageErrorKind.Transient, "x").IsRetryable);
    }

    [Fact]
    public void FailureText_Unreachable_SaysItKeptFailingWithoutTheKindName()
    {
        var text = ItemExecutor.FailureText(new StorageException(StorageErrorKind.Unreachable, "write 'a' failed: cannot reach h:1 (connection refused)"));

        Assert.Equal("write 'a' failed: cannot reach h:1 (connection refused) (still failing after retries)", text);
    }

    [Fact]
    public async Task SendAsync_RefusedAfterTheEndpointAnswered_SaysItWentAwayOnlyForThatEndpoint()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "x", new SocketException((int)SocketError.ConnectionRefused));
        var up = false;
        using var invoker = new HttpMessageInvoker(new ReachabilityHandler(new StubHandler(_ => up ? Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.NotFound)) : throw refused), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)));
        async Task<EndpointUnreachableException> RefusedAsync(Uri url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            return await Assert.ThrowsAsync<EndpointUnreachableException>(() => invoker.SendAsync(request, default));
        }

        var neverAnswered = await RefusedAsync(Url);
        using (var first = new HttpRequestMessage(HttpMethod.Get, Url))
        {
            up = true;
            (await invoker.SendAsync(first, default)).Dispose(); // any status means the endpoint is there
        }

        up = false;
        var wentAway = await RefusedAsync(Url);
        var other = await RefusedAsync(new Uri("https://other.example.test/x"));

        Assert.False(neverAnswered.AnsweredBefore);
        Assert.True(wentAway.AnsweredBefore);
        Assert.True(ReachabilityHandler.WentAway(new StorageException(StorageErrorKind.Unreachable, "read failed", wentAway)));
        Assert.False(other.AnsweredBefore);
        Assert.False(ReachabilityHandler.WentAway(new StorageException(StorageErrorKind.Unreachable, "read failed", other)));
    }

    private static async Task<HttpResponseMessage> SendAsync(Func<CancellationToken, Task<HttpResponseMessage>> inner, CancellationToken cancellationToken = default)
    {
        using var invoker = new HttpMessageInvoker(new ReachabilityHandler(new StubHandler(inner), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)));
        using var request = new HttpRequestMessage(HttpMethod.Get, Url);
        return await invoker.SendAsync(request, cancellationToken);
    }

    private sealed class StubHandler(Func<CancellationToken, Task<HttpResponseMessage>> send) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => send(cancellationToken);
    }
}

using System.Net.Sockets;

namespace SyncFunctions.Abstractions.Network;

/// <summary>
/// The innermost handler of an adapter's HTTP pipeline, directly above the socket handler: a request that fails
/// before any response arrived is rethrown naming the endpoint (host:port) and why, so the adapter's classifier can
/// tell "cannot reach it" and "it never answered" (<see cref="StorageErrorKind.Unreachable"/>) from a failure in
/// the middle of a response (<see cref="StorageErrorKind.Transient"/>).
/// </summary>
/// <remarks>
/// <para>Connection refused, host not found, network or host unreachable and the socket handler's own
/// <c>ConnectTimeout</c> become <see cref="EndpointUnreachableException"/> (an <see cref="HttpRequestException"/>,
/// as the SDKs expect). A cancellation of the request's token while waiting for the headers becomes a
/// <see cref="NoResponseException"/> with the same token: a network timeout or the caller's own cancellation, which
/// only the caller can tell apart. Everything else passes through unchanged.</para>
/// <para>Response bodies are read after this handler has returned, so failures while reading them are never
/// relabelled. Thread-safe; its one state is the set of endpoints that answered, so an endpoint that went away
/// (<see cref="EndpointUnreachableException.AnsweredBefore"/>) is told from one that was never there.</para>
/// </remarks>
public sealed class ReachabilityHandler : DelegatingHandler
{
    /// <summary>The longest connect timeout <see cref="ConnectTimeoutFor"/> gives: a black-holed address fails within it.</summary>
    public static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _networkTimeout;
    private readonly TimeSpan _connectTimeout;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _answered = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="inner">The socket handler (its <c>ConnectTimeout</c> should be <paramref name="connectTimeout"/>).</param>
    /// <param name="networkTimeout">The per-request timeout the layers above apply (named in <see cref="NoResponseException"/>).</param>
    /// <param name="connectTimeout">The socket handler's connect timeout (named when it expires).</param>
    public ReachabilityHandler(HttpMessageHandler inner, TimeSpan networkTimeout, TimeSpan connectTimeout)
        : base(inner)
    {
        _networkTimeout = networkTimeout;
        _connectTimeout = connectTimeout;
    }

    /// <summary>
    /// The connect timeout for a network timeout: half of it, at most <see cref="MaxConnectTimeout"/>. Shorter than the
    /// network timeout, so a connection that cannot be made is reported as such, and a network timeout that expires
    /// means the endpoint accepted the connection and then did not answer.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="networkTimeout"/> is neither positive nor infinite.</exception>
    public static TimeSpan ConnectTimeoutFor(TimeSpan networkTimeout)
    {
        if (networkTimeout == Timeout.InfiniteTimeSpan)
        {
            return MaxConnectTimeout;
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(networkTimeout, TimeSpan.Zero);
        var half = networkTimeout / 2;
        return half < MaxConnectTimeout ? half : MaxConnectTimeout;
    }

    /// <summary>
    /// The message of the <see cref="EndpointUnreachableException"/> or <see cref="NoResponseException"/> in
    /// <paramref name="error"/>'s chain of inner exceptions, or null when there is none. Call it only when the
    /// caller's own token is not cancelled: then a <see cref="NoResponseException"/> means the network timeout.
    /// </summary>
    public static string? UnreachableMessage(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is EndpointUnreachableException or NoResponseException)
            {
                return e.Message;
            }
        }

        return null;
    }

    /// <summary>Why a transport failure means the endpoint cannot be reached ("connection refused", ...), or null when it does not.</summary>
    public static string? ReasonOf(HttpRequestException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.HttpRequestError == HttpRequestError.NameResolutionError)
        {
            return "host not found";
        }

        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host not found",
                    SocketError.NetworkUnreachable or SocketError.NetworkDown => "network unreachable",
                    SocketError.HostUnreachable or SocketError.HostDown => "host unreachable",
                    SocketError.TimedOut => "connection timed out",
                    _ => null,
                };
            }
        }

        return null;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Answered(request);
            return response;
        }
        catch (Exception e) when (Translate(e, request, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = base.Send(request, cancellationToken);
            Answered(request);
            return response;
        }
        catch (Exception e) when (Translate(e, request, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    private Exception? Translate(Exception error, HttpRequestMessage request, CancellationToken cancellationToken) => error switch
    {
        EndpointUnreachableException or NoResponseException => null,
        HttpRequestException http when ReasonOf(http) is { } reason => new EndpointUnreachableException(EndpointOf(request), reason, error, _answered.ContainsKey(EndpointOf(request))),

        // Nothing above cancelled: the socket handler's ConnectTimeout, the only timeout it has, expired.
        OperationCanceledException when !cancellationToken.IsCancellationRequested => new EndpointUnreachableException(
            EndpointOf(request), $"no connection within {Durations.Format(_connectTimeout)} (connect timeout)", error, _answered.ContainsKey(EndpointOf(request))),
        OperationCanceledException => new NoResponseException(EndpointOf(request), _networkTimeout, error, cancellationToken),
        _ => null,
    };

    /// <summary>Remembers that the request's endpoint answered (any status: it is there).</summary>
    private void Answered(HttpRequestMessage request)
    {
        var endpoint = EndpointOf(request);
        if (!_answered.ContainsKey(endpoint))
        {
            _answered.TryAdd(endpoint, true);
        }
    }

    /// <summary>
    /// True when <paramref name="error"/>'s chain holds an <see cref="EndpointUnreachableException"/> for an endpoint
    /// that answered before (it went away, rather than never being there).
    /// </summary>
    public static bool WentAway(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is EndpointUnreachableException unreachable)
            {
                return unreachable.AnsweredBefore;
            }
        }

        return false;
    }

    /// <summary>Host and port only: the path and query of a storage URL may hold a SAS token.</summary>
    private static string EndpointOf(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } uri ? $"{uri.Host}:{uri.Port}" : "the endpoint";
}

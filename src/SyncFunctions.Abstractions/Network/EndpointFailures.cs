using System.Globalization;

namespace SyncFunctions.Abstractions.Network;

/// <summary>
/// An endpoint that could not be reached: the connection was refused, the host is unknown, the network or host is
/// unreachable, or no connection was made within the connect timeout. Thrown by <see cref="ReachabilityHandler"/>
/// before any response arrived; adapters classify it as <see cref="StorageErrorKind.Unreachable"/>.
/// </summary>
/// <remarks>The message names only host and port, never a path or query (SAS tokens live there).</remarks>
public sealed class EndpointUnreachableException : HttpRequestException
{
    public EndpointUnreachableException(string endpoint, string reason, Exception? inner = null, bool answeredBefore = false)
        : base(HttpRequestError.ConnectionError, $"cannot reach {endpoint} ({reason})", inner)
    {
        Endpoint = endpoint;
        Reason = reason;
        AnsweredBefore = answeredBefore;
    }

    /// <summary>
    /// The endpoint answered earlier requests through the same handler: it went away (a restart, a failover), rather
    /// than being the wrong address. Retry policies ride out such an outage for longer.
    /// </summary>
    public bool AnsweredBefore { get; }

    /// <summary>Host and port, e.g. <c>127.0.0.1:10000</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Why, in a few words: "connection refused", "host not found", "no connection within 5 s (connect timeout)".</summary>
    public string Reason { get; }
}

/// <summary>
/// A request whose cancellation token fired while it waited for the response headers. Only the caller can tell
/// what that means: when the caller's own token was not cancelled, the network timeout elapsed (Azure.Core's
/// <c>NetworkTimeout</c>, <c>HttpClient.Timeout</c>) and the message holds (host:port accepted the connection but
/// sent no response within the timeout); when it was, this is an ordinary cancellation and must stay one.
/// </summary>
/// <remarks>
/// It is an <see cref="OperationCanceledException"/> with the same token as the one it wraps, so every layer above
/// treats a user's cancellation exactly as before. Classifiers look for it only after ruling out the caller's token.
/// </remarks>
public sealed class NoResponseException : TaskCanceledException
{
    public NoResponseException(string endpoint, TimeSpan timeout, Exception? inner, CancellationToken token)
        : base($"{endpoint} accepted the connection but sent no response within {Durations.Format(timeout)} (network timeout)", inner, token)
    {
        Endpoint = endpoint;
        Timeout = timeout;
    }

    /// <summary>Host and port, e.g. <c>127.0.0.1:10000</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The network timeout the request was given.</summary>
    public TimeSpan Timeout { get; }
}

/// <summary>Short human forms of timeouts for messages: <c>500 ms</c>, <c>2 s</c>, <c>1.5 s</c>, <c>2 min</c>.</summary>
internal static class Durations
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms");
        }

        return duration >= TimeSpan.FromMinutes(2) && duration.Ticks % TimeSpan.TicksPerMinute == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0} min")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.#} s");
    }
}

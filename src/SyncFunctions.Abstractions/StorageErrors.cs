namespace SyncFunctions.Abstractions;

/// <summary>How an error should be treated; classified once, at the adapter boundary.</summary>
public enum StorageErrorKind
{
    /// <summary>The object or container does not exist.</summary>
    NotFound,

    /// <summary>A conditional write or delete failed: the destination changed since the baseline.</summary>
    PreconditionFailed,

    /// <summary>The service asked us to slow down (429, 503 with Retry-After, server busy).</summary>
    Throttled,

    /// <summary>Connection resets and timeouts in the middle of a response, 5xx: worth retrying.</summary>
    Transient,

    /// <summary>Not worth retrying (4xx such as 400, 403): fails the item.</summary>
    Permanent,

    /// <summary>Bad credentials / connection string: fatal for the whole run.</summary>
    Authentication,

    /// <summary>A path the store cannot hold.</summary>
    InvalidName,

    /// <summary>A change-feed cursor the service no longer knows (Graph 410): enumerate again.</summary>
    ResyncRequired,

    /// <summary>
    /// The endpoint cannot be reached or does not answer: connection refused, host not found, no connection within
    /// the connect timeout, or no response within the network timeout. Retried like <see cref="Transient"/>; the
    /// message names the endpoint (host:port) and why.
    /// </summary>
    Unreachable,
}

/// <summary>
/// The one exception type that adapters throw for storage failures. Adapters map SDK exceptions
/// (RequestFailedException, IOException, ...) to this type exactly once; the retry layer in Core reads
/// <see cref="Kind"/> and <see cref="RetryAfter"/> and nothing else.
/// </summary>
public sealed class StorageException : Exception
{
    public StorageException(StorageErrorKind kind, string message, Exception? inner = null, TimeSpan? retryAfter = null, int? status = null)
        : base(message, inner)
    {
        Kind = kind;
        RetryAfter = retryAfter;
        Status = status;
    }

    public StorageException()
        : this(StorageErrorKind.Permanent, "storage error")
    {
    }

    public StorageException(string message)
        : this(StorageErrorKind.Permanent, message)
    {
    }

    public StorageException(string message, Exception inner)
        : this(StorageErrorKind.Permanent, message, inner)
    {
    }

    public StorageErrorKind Kind { get; }

    /// <summary>The server's Retry-After, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>HTTP status when there was one.</summary>
    public int? Status { get; }

    /// <summary>True for kinds the retry layer retries.</summary>
    public bool IsRetryable => Kind is StorageErrorKind.Throttled or StorageErrorKind.Transient or StorageErrorKind.Unreachable;
}

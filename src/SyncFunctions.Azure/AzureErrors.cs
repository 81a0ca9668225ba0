using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using Azure;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Network;

namespace SyncFunctions.Azure;

/// <summary>
/// Maps Azure SDK and network exceptions to <see cref="StorageException"/>, once, at the adapter boundary.
/// </summary>
/// <remarks>
/// Core's retry pipeline reads only <see cref="StorageException.Kind"/> and <see cref="StorageException.RetryAfter"/>,
/// so everything it needs to decide (retry or not, how long to wait) is decided here. Messages carry the
/// operation, the HTTP status and the service's error code, never a URL (SAS URLs are secrets) or a key.
/// A request that got no response because the endpoint cannot be reached (refused, unknown host, connect timeout)
/// or never answered (the network timeout elapsed; see <see cref="ReachabilityHandler"/>) is
/// <see cref="StorageErrorKind.Unreachable"/>, its message naming host:port and the cause; a failure in the
/// middle of a response stays <see cref="StorageErrorKind.Transient"/>. Stateless and thread-safe.
/// </remarks>
public static class AzureErrors
{
    /// <summary>Classifies an exception thrown by an Azure SDK call.</summary>
    public static StorageException Classify(Exception exception) => Classify(exception, "storage request");

    /// <summary>Classifies an exception; <paramref name="operation"/> names what was attempted (e.g. "write 'a/b.txt'").</summary>
    /// <param name="exception">What the SDK threw.</param>
    /// <param name="operation">A short description for the message; must not contain secrets.</param>
    /// <param name="timeProvider">Clock used to turn an HTTP-date Retry-After into a delay (default: system clock).</param>
    public static StorageException Classify(Exception exception, string operation, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            StorageException storage => storage,
            AggregateException { InnerExceptions.Count: > 0 } aggregate =>
                Classify(aggregate.InnerExceptions[^1], operation, timeProvider),
            _ when ReachabilityHandler.UnreachableMessage(exception) is { } unreachable => new StorageException(
                StorageErrorKind.Unreachable, $"{operation} failed: {unreachable}", exception),
            RequestFailedException failed => FromResponse(failed, operation, timeProvider ?? TimeProvider.System),
            OperationCanceledException => new StorageException(
                StorageErrorKind.Transient, $"{operation} timed out", exception),
            HttpRequestException or IOException or SocketException or TimeoutException => new StorageException(
                StorageErrorKind.Transient, $"{operation} failed: {exception.Message}", exception),
            _ when exception.GetType().Name == "AuthenticationFailedException" => new StorageException(
                StorageErrorKind.Authentication, $"{operation} failed to authenticate: {exception.Message}", exception),
            _ => new StorageException(StorageErrorKind.Permanent, $"{operation} failed: {exception.Message}", exception),
        };
    }

    /// <summary>
    /// True when <paramref name="exception"/> should be classified: not already a <see cref="StorageException"/>
    /// and not a cancellation requested through the caller's own token (that one propagates unchanged).
    /// A cancellation that the caller did not ask for is a timeout: classified as unreachable when no response had
    /// arrived, else as transient. Classify only what this lets through.
    /// </summary>
    public static bool ShouldClassify(Exception exception, CancellationToken cancellationToken) =>
        exception is not StorageException
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static StorageException FromResponse(RequestFailedException failed, string operation, TimeProvider timeProvider)
    {
        var status = failed.Status;
        // The SDK takes the code from the error body; without a parsable body the header still carries it.
        string? header = null;
        var code = failed.ErrorCode ?? (failed.GetRawResponse()?.Headers.TryGetValue("x-ms-error-code", out header) == true ? header : null) ?? "";
        if (status == 0)
        {
            // No response at all, for a cause the reachability handler did not name (a reset while sending, ...).
            var cause = failed.InnerException?.Message ?? FirstLine(failed.Message);
            return new StorageException(StorageErrorKind.Transient, $"{operation} failed: {cause}", failed);
        }

        var retryAfter = RetryAfterOf(failed, timeProvider);
        var kind = KindOf(status, code, retryAfter);
        var codePart = code.Length > 0 ? " " + code : "";
        var message = $"{operation} failed: {status}{codePart}: {FirstLine(failed.Message)}";
        return new StorageException(kind, message, failed, kind == StorageErrorKind.Throttled ? retryAfter : null, status);
    }

    internal static StorageErrorKind KindOf(int status, string code, TimeSpan? retryAfter) => status switch
    {
        404 => StorageErrorKind.NotFound,
        412 or 304 => StorageErrorKind.PreconditionFailed,
        409 when code is "BlobAlreadyExists" or "ConditionNotMet" or "EntityAlreadyExists" or "TargetConditionNotMet"
            => StorageErrorKind.PreconditionFailed,
        409 when code is "ContainerBeingDeleted" or "TableBeingDeleted" => StorageErrorKind.Transient,
        429 => StorageErrorKind.Throttled,
        503 when code == "ServerBusy" || retryAfter is not null => StorageErrorKind.Throttled,
        401 or 403 => StorageErrorKind.Authentication,
        400 when code is "InvalidResourceName" or "InvalidUri" => StorageErrorKind.InvalidName,
        408 or 500 or 502 or 503 or 504 => StorageErrorKind.Transient,
        >= 500 => StorageErrorKind.Transient,
        _ => StorageErrorKind.Permanent,
    };

    /// <summary>Reads x-ms-retry-after-ms / retry-after-ms / Retry-After (seconds or HTTP date) from the response.</summary>
    internal static TimeSpan? RetryAfterOf(RequestFailedException failed, TimeProvider timeProvider)
    {
        var response = failed.GetRawResponse();
        if (response is null)
        {
            return null;
        }

        foreach (var header in new[] { "x-ms-retry-after-ms", "retry-after-ms" })
        {
            if (response.Headers.TryGetValue(header, out var ms)
                && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            {
                return TimeSpan.FromMilliseconds(millis);
            }
        }

        if (!response.Headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        }

        if (DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
        {
            var delay = when - timeProvider.GetUtcNow();
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return (end < 0 ? text : text[..end]).Trim();
    }
}

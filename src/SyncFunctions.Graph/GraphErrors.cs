using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Network;

namespace SyncFunctions.Graph;

/// <summary>
/// Maps what the Graph SDK throws (ODataError, ApiException, ServiceException, HttpRequestException,
/// timeouts, a RetryHandler's AggregateException) to <see cref="StorageException"/>: the one place where
/// Graph errors are classified. Core's retry layer reads only the kind and Retry-After.
/// </summary>
/// <remarks>
/// Status mapping: 404 NotFound; 409/412 PreconditionFailed (name already exists, eTag mismatch);
/// 429 Throttled; 503 Throttled with Retry-After, else Transient; 408/423/500/502/504 and network
/// failures Transient; 401/403 Authentication; 410 ResyncRequired (delta, resync codes); 400 whose
/// error codes speak of a name InvalidName; everything else Permanent. A request that got no response because
/// the endpoint cannot be reached (refused, unknown host, connect timeout) or never answered (the network timeout
/// elapsed; see <see cref="ReachabilityHandler"/>) is Unreachable, its message naming host:port and the cause.
/// Thread-safe (pure).
/// </remarks>
public static class GraphErrors
{
    /// <summary>
    /// True when <paramref name="error"/> should be classified (not the caller's own cancellation, which propagates
    /// unchanged). Classify only what this lets through: a cancellation it lets through is a timeout.
    /// </summary>
    public static bool ShouldClassify(Exception error, CancellationToken cancellationToken) =>
        error is not StorageException && !(error is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>Maps <paramref name="error"/> to a <see cref="StorageException"/> (returns it unchanged when it already is one).</summary>
    /// <param name="error">What the SDK or the HTTP stack threw.</param>
    /// <param name="context">What was being done, for the message (e.g. "GET info of 'a/b'"). Never a URL with a secret.</param>
    /// <param name="timeProvider">Clock for an HTTP-date Retry-After; the system clock when null.</param>
    public static StorageException Classify(Exception error, string? context = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var prefix = string.IsNullOrEmpty(context) ? "Graph" : $"Graph {context}";
        switch (error)
        {
            case StorageException storage:
                return storage;
            case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                // The SDK's RetryHandler gave up (it is removed from our pipeline, so this is defensive).
                return Classify(aggregate.InnerExceptions[^1], context, timeProvider);
            case Exception when ReachabilityHandler.UnreachableMessage(error) is { } unreachable:
                return new StorageException(StorageErrorKind.Unreachable, $"{prefix}: {unreachable}", error);
            case ApiException api when api.ResponseStatusCode > 0:
                return FromStatus(api, prefix, timeProvider ?? TimeProvider.System);
            case HttpRequestException or IOException or TimeoutException:
                return new StorageException(StorageErrorKind.Transient, $"{prefix}: network failure: {error.Message}", error);
            case OperationCanceledException:
                return new StorageException(StorageErrorKind.Transient, $"{prefix}: the request timed out.", error);
            default:
                return new StorageException(StorageErrorKind.Permanent, $"{prefix}: {error.Message}", error);
        }
    }

    /// <summary>
    /// The SDK's error for a failed raw response (upload URLs, downloads): the JSON error body parsed as
    /// <see cref="ODataError"/> when there is one, with the status and headers, ready for <see cref="Classify"/>.
    /// </summary>
    internal static async Task<ODataError> ToODataErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return await ToODataErrorAsync(response, body).ConfigureAwait(false);
    }

    internal static async Task<ODataError> ToODataErrorAsync(HttpResponseMessage response, byte[] body)
    {
        ODataError? error = null;
        if (body.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                error = await ParseAsync(body, ODataError.CreateFromDiscriminatorValue).ConfigureAwait(false);
            }
            catch (System.Text.Json.JsonException)
            {
                // Not the documented error shape: classify by status alone.
            }
        }

        error ??= new ODataError();
        error.ResponseStatusCode = (int)response.StatusCode;
        error.ResponseHeaders = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        return error;
    }

    internal static async Task<T?> ParseAsync<T>(byte[] body, ParsableFactory<T> factory)
        where T : IParsable
    {
        using var stream = new MemoryStream(body, writable: false);
        return await KiotaJsonSerializer.DeserializeAsync(stream, factory).ConfigureAwait(false);
    }

    /// <summary>The Retry-After of an HTTP response (delta seconds or an HTTP date), or null.</summary>
    internal static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at > now ? at - now : TimeSpan.Zero
            : null;
    }

    private static StorageException FromStatus(ApiException api, string prefix, TimeProvider time)
    {
        var status = api.ResponseStatusCode;
        var codes = ErrorCodes(api);
        var retryAfter = ParseRetryAfter(Header(api, "Retry-After"), time.GetUtcNow());
        var detail = codes.Count > 0 ? $"{status} {string.Join('/', codes)}" : status.ToString(CultureInfo.InvariantCulture);
        var message = Message(api) is { Length: > 0 } text ? $"{prefix}: {detail}: {text}" : $"{prefix}: {detail}";
        var kind = status switch
        {
            404 => StorageErrorKind.NotFound,
            409 or 412 => StorageErrorKind.PreconditionFailed,
            429 => StorageErrorKind.Throttled,
            503 when retryAfter is not null => StorageErrorKind.Throttled,
            408 or 423 or 500 or 502 or 503 or 504 => StorageErrorKind.Transient,
            401 or 403 => StorageErrorKind.Authentication,
            410 => StorageErrorKind.ResyncRequired,
            400 when codes.Any(c => c.Contains("name", StringComparison.OrdinalIgnoreCase)) => StorageErrorKind.InvalidName,
            _ => StorageErrorKind.Permanent,
        };
        return new StorageException(kind, message, api, retryAfter, status);
    }

    /// <summary>error.code and every nested innerError code, outermost first.</summary>
    internal static List<string> ErrorCodes(Exception error)
    {
        var codes = new List<string>();
        if (error is ODataError { Error: { } main })
        {
            Add(codes, main.Code);
            if (main.InnerError is { } inner)
            {
                AddNested(codes, inner.AdditionalData, depth: 0);
            }
        }
        else if (error is ServiceException { RawResponseBody: { Length: > 0 } body })
        {
            foreach (var code in RawCodes(body))
            {
                Add(codes, code);
            }
        }

        return codes;
    }

    /// <summary>Walks innerError.code, innerError.innerError.code, ... (the nested ones arrive as untyped nodes).</summary>
    private static void AddNested(List<string> codes, IDictionary<string, object> data, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        if (data.TryGetValue("code", out var code))
        {
            Add(codes, code is UntypedString untyped ? untyped.GetValue() : code as string);
        }

        if (data.TryGetValue("innerError", out var nested) && nested is UntypedObject obj)
        {
            var values = obj.GetValue().ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);
            AddNested(codes, values, depth + 1);
        }
    }

    private static IEnumerable<string> RawCodes(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            var node = document.RootElement.TryGetProperty("error", out var e) ? e : default;
            var found = new List<string>();
            while (node.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                if (node.TryGetProperty("code", out var code) && code.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    found.Add(code.GetString()!);
                }

                node = node.TryGetProperty("innerError", out var inner) || node.TryGetProperty("innererror", out inner) ? inner : default;
            }

            return found;
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    private static void Add(List<string> codes, string? code)
    {
        if (!string.IsNullOrEmpty(code) && !codes.Contains(code, StringComparer.Ordinal))
        {
            codes.Add(code);
        }
    }

    private static string? Message(ApiException api) => api switch
    {
        ODataError { Error.Message: { } message } => message,
        _ => null,
    };

    private static string? Header(ApiException api, string name)
    {
        if (api is ServiceException { ResponseHeaders: HttpResponseHeaders http } && http.TryGetValues(name, out var typed))
        {
            return typed.FirstOrDefault();
        }

        foreach (var (key, values) in api.ResponseHeaders)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return values.FirstOrDefault();
            }
        }

        return null;
    }
}

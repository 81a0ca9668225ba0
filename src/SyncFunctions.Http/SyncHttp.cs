using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Http;

/// <summary>
/// The HTTP conventions both hosts of the API share (<c>syncfn serve</c> and the Functions app): JSON options, the
/// mapping of a <see cref="ServiceResult{T}"/> to a status and a problem-details body, strict reading of request bodies,
/// and the guard that turns storage outages into 503 and malformed requests into 4xx, never 500.
/// </summary>
public static class SyncHttp
{
    /// <summary>Largest request body read.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>JSON of requests and responses: camelCase, enums as strings, nulls left out; unknown request properties refused.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads a JSON body of at most <see cref="MaxBodyBytes"/>: the value, or the 400/413/415 to answer.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problem(415, "unsupported media type", "send application/json"));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Json);
            return value is null ? (null, Problem(400, "bad request", "the body is empty or null; send a JSON object")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problem(400, "bad request", "the body is not valid: " + (e.Path is { Length: > 1 } p ? $"{p}: " : "") + FirstLine(e.Message)));
        }
    }

    /// <summary>
    /// Reads an optional JSON body: <paramref name="none"/> when the request has no body, else as
    /// <see cref="ReadJsonAsync{T}"/> (the value, or the 400/413/415 to answer).
    /// </summary>
    public static async Task<(T? Value, IResult? Problem)> ReadOptionalJsonAsync<T>(HttpRequest request, T none, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0
            ? await ReadJsonAsync<T>(request, cancellationToken).ConfigureAwait(false)
            : (none, null);
    }

    /// <summary>The status and body of a service result: the value as JSON, or a problem (400, 404, 409, 503).</summary>
    public static IResult From<T>(ServiceResult<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Outcome switch
        {
            ServiceOutcome.Ok => Results.Json(result.Value, Json),
            ServiceOutcome.Created => Results.Json(result.Value, Json, statusCode: 201),
            ServiceOutcome.Accepted => Results.Json(result.Value, Json, statusCode: 202),
            ServiceOutcome.NotFound => Problem(404, "not found", result.Problem!),
            ServiceOutcome.Conflict => Problem(409, "conflict", result.Problem!),
            ServiceOutcome.Unavailable => Problem(503, "unavailable", result.Problem!),
            _ => Problem(400, "bad request", result.Problem!),
        };
    }

    /// <summary>An <c>application/problem+json</c> answer.</summary>
    public static IResult Problem(int status, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    /// <summary><paramref name="inner"/> with a <c>Location</c> header.</summary>
    public static IResult WithLocation(IResult inner, Uri location) => new LocationResult(inner, location);

    /// <summary>
    /// Runs a route body: a storage outage becomes 503 (logged without the body or any key), a request the server
    /// refused to read (too large, cut short) its 4xx, both as problem details.
    /// </summary>
    public static async Task<IResult> GuardAsync(HttpRequest request, ILogger log, Func<Task<IResult>> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            return Problem(e.StatusCode, "bad request", e.Message);
        }
        catch (StorageException e)
        {
            HttpLogs.RequestFailed(log, request.Method, request.Path, e.Kind.ToString(), e.Message);
            return Problem(503, "storage unavailable", e.Message);
        }
    }

    private static IResult TooLarge() => Problem(413, "body too large", $"a request body holds at most {MaxBodyBytes} bytes");

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n', '.']);
        return end > 0 ? message[..end] : message;
    }

    private sealed class LocationResult(IResult inner, Uri location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers.Location = location.ToString();
            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <summary>Logs of the shared HTTP API (event ids 3001-3099, as <c>serve</c> logged them).</summary>
public static partial class HttpLogs
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "{Method} {Path} failed: {Kind}: {Error}")]
    public static partial void RequestFailed(ILogger logger, string method, string path, string kind, string error);
}

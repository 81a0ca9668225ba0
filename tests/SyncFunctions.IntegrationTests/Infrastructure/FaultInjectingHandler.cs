using System.Net;
using System.Net.Http;

namespace SyncFunctions.IntegrationTests.Infrastructure;

/// <summary>One request as the handler saw it.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">URL path (account and container included).</param>
/// <param name="Query">URL query, SAS signature removed.</param>
/// <param name="Faulted">True when the handler answered with a fault instead of sending it.</param>
public sealed record RecordedRequest(HttpMethod Method, string Path, string Query, bool Faulted);

/// <summary>
/// Sits in the storage client's HTTP pipeline: programmed per test to answer the next N matching requests
/// with a fault (a status such as 503 / 429 + Retry-After, a connection failure or a timeout), and counts
/// every request so tests can assert exact attempt counts.
/// </summary>
/// <remarks>Thread-safe: storage clients send requests concurrently.</remarks>
public sealed class FaultInjectingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly Lock _gate = new();
    private readonly List<Rule> _rules = [];
    private readonly List<RecordedRequest> _requests = [];

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    /// <summary>Answers the next <paramref name="times"/> requests that match with <paramref name="fault"/>.</summary>
    public void FailNext(int times, Func<HttpRequestMessage, bool> match, Fault fault)
    {
        lock (_gate)
        {
            _rules.Add(new Rule(match, fault) { Remaining = times });
        }
    }

    /// <summary>Number of requests so far that match <paramref name="predicate"/>.</summary>
    public int Count(Func<RecordedRequest, bool> predicate)
    {
        lock (_gate)
        {
            return _requests.Count(predicate);
        }
    }

    /// <summary>Forgets recorded requests and pending faults.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _rules.Clear();
            _requests.Clear();
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Fault? fault = null;
        lock (_gate)
        {
            var rule = _rules.FirstOrDefault(r => r.Remaining > 0 && r.Match(request));
            if (rule is not null)
            {
                rule.Remaining--;
                fault = rule.Fault;
            }

            var uri = request.RequestUri!;
            _requests.Add(new RecordedRequest(request.Method, Uri.UnescapeDataString(uri.AbsolutePath), StripSignature(uri.Query), fault is not null));
        }

        return fault is null ? base.SendAsync(request, cancellationToken) : fault.Apply(request);
    }

    private static string StripSignature(string query) =>
        string.Join('&', query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("sig=", StringComparison.Ordinal)));

    private sealed record Rule(Func<HttpRequestMessage, bool> Match, Fault Fault)
    {
        public int Remaining { get; set; }
    }
}

/// <summary>What the <see cref="FaultInjectingHandler"/> does instead of sending a request.</summary>
public sealed class Fault
{
    private readonly Func<HttpRequestMessage, Task<HttpResponseMessage>> _apply;

    private Fault(Func<HttpRequestMessage, Task<HttpResponseMessage>> apply) => _apply = apply;

    /// <summary>Answers with <paramref name="status"/>, an optional x-ms-error-code and optional Retry-After header value.</summary>
    public static Fault Status(HttpStatusCode status, string? errorCode = null, string? retryAfter = null, string? retryAfterMs = null) =>
        new(request =>
        {
            var response = new HttpResponseMessage(status) { RequestMessage = request, Content = new StringContent("") };
            response.Headers.Add("x-ms-request-id", Guid.NewGuid().ToString());
            if (errorCode is not null)
            {
                response.Headers.Add("x-ms-error-code", errorCode);
            }

            if (retryAfter is not null)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            }

            if (retryAfterMs is not null)
            {
                response.Headers.Add("x-ms-retry-after-ms", retryAfterMs);
            }

            return Task.FromResult(response);
        });

    /// <summary>503 Server Busy, as Azure Storage throttles.</summary>
    public static Fault ServerBusy(string? retryAfter = null) => Status(HttpStatusCode.ServiceUnavailable, "ServerBusy", retryAfter);

    /// <summary>429 Too Many Requests with Retry-After in seconds.</summary>
    public static Fault TooManyRequests(int retryAfterSeconds) =>
        Status(HttpStatusCode.TooManyRequests, null, retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The connection fails (reset / refused) before any response.</summary>
    public static Fault ConnectionFailure() =>
        new(_ => Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection reset by peer (injected)", new IOException("injected"))));

    /// <summary>The request times out (a cancellation nobody asked for, as HttpClient reports timeouts).</summary>
    public static Fault Timeout() =>
        new(_ => Task.FromException<HttpResponseMessage>(new TaskCanceledException("The request timed out (injected).", new TimeoutException())));

    internal Task<HttpResponseMessage> Apply(HttpRequestMessage request) => _apply(request);
}

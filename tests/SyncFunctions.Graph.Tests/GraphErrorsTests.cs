using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Network;

namespace SyncFunctions.Graph.Tests;

public sealed class GraphErrorsTests
{
    [Theory]
    [InlineData(404, "itemNotFound", StorageErrorKind.NotFound)]
    [InlineData(409, "nameAlreadyExists", StorageErrorKind.PreconditionFailed)]
    [InlineData(412, "resourceModified", StorageErrorKind.PreconditionFailed)]
    [InlineData(429, "activityLimitReached", StorageErrorKind.Throttled)]
    [InlineData(503, "serviceNotAvailable", StorageErrorKind.Transient)]
    [InlineData(500, "generalException", StorageErrorKind.Transient)]
    [InlineData(504, "gatewayTimeout", StorageErrorKind.Transient)]
    [InlineData(423, "resourceLocked", StorageErrorKind.Transient)]
    [InlineData(401, "unauthenticated", StorageErrorKind.Authentication)]
    [InlineData(403, "accessDenied", StorageErrorKind.Authentication)]
    [InlineData(410, "resyncRequired", StorageErrorKind.ResyncRequired)]
    [InlineData(400, "invalidRequest", StorageErrorKind.Permanent)]
    [InlineData(400, "nameContainsInvalidCharacters", StorageErrorKind.InvalidName)]
    [InlineData(507, "quotaLimitReached", StorageErrorKind.Permanent)]
    [InlineData(416, "invalidRange", StorageErrorKind.Permanent)]
    public void Classify_ODataErrorStatus_MapsToKind(int status, string code, StorageErrorKind expected)
    {
        var error = GraphErrors.Classify(ODataErrorOf(status, code));

        Assert.Equal(expected, error.Kind);
        Assert.Equal(status, error.Status);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_429WithRetryAfterSeconds_IsThrottledWithThatDelay()
    {
        var error = GraphErrors.Classify(ODataErrorOf(429, "activityLimitReached", retryAfter: "41"));

        Assert.Equal(StorageErrorKind.Throttled, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(41), error.RetryAfter);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public void Classify_503WithRetryAfterDate_IsThrottledUntilThatTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2024-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        var error = GraphErrors.Classify(ODataErrorOf(503, "serviceNotAvailable", retryAfter: "Wed, 01 May 2024 10:00:30 GMT"), "x", time);

        Assert.Equal(StorageErrorKind.Throttled, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }

    [Fact]
    public void Classify_410WithResyncInnerCode_IsResyncRequiredAndNamesTheCode()
    {
        var odata = ODataErrorOf(410, "resyncRequired");
        odata.Error!.InnerError = new InnerError { AdditionalData = new Dictionary<string, object> { ["code"] = "resyncChangesApplyDifferences" } };

        var error = GraphErrors.Classify(odata);

        Assert.Equal(StorageErrorKind.ResyncRequired, error.Kind);
        Assert.Contains("resyncChangesApplyDifferences", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_AggregateOfRetries_ClassifiesTheLastAttempt()
    {
        var aggregate = new AggregateException(new ApiException("first") { ResponseStatusCode = 503 }, ODataErrorOf(429, "activityLimitReached", "3"));

        var error = GraphErrors.Classify(aggregate);

        Assert.Equal(StorageErrorKind.Throttled, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
    }

    [Fact]
    public void Classify_NetworkFailuresAndTimeouts_AreTransient()
    {
        Assert.Equal(StorageErrorKind.Transient, GraphErrors.Classify(new HttpRequestException("reset")).Kind);
        Assert.Equal(StorageErrorKind.Transient, GraphErrors.Classify(new IOException("broken pipe")).Kind);
        Assert.Equal(StorageErrorKind.Transient, GraphErrors.Classify(new TaskCanceledException("timeout", new TimeoutException())).Kind);
    }

    [Fact]
    public void Classify_UnreachableEndpoint_IsUnreachableNamingHostAndCause()
    {
        var refused = new EndpointUnreachableException("graph.example.test:443", "connection refused");

        var error = GraphErrors.Classify(refused, "GET info of 'a'");

        Assert.Equal(StorageErrorKind.Unreachable, error.Kind);
        Assert.Equal("Graph GET info of 'a': cannot reach graph.example.test:443 (connection refused)", error.Message);
    }

    [Fact]
    public void Classify_HttpClientTimeoutWithoutAResponse_IsUnreachable()
    {
        var noResponse = new NoResponseException("127.0.0.1:9", TimeSpan.FromSeconds(30), null, CancellationToken.None);
        var timeout = new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 30 seconds elapsing.", new TimeoutException("canceled", noResponse));

        var error = GraphErrors.Classify(timeout, "delta");

        Assert.Equal(StorageErrorKind.Unreachable, error.Kind);
        Assert.Equal("Graph delta: 127.0.0.1:9 accepted the connection but sent no response within 30 s (network timeout)", error.Message);
    }

    [Fact]
    public void Classify_StorageException_IsReturnedUnchanged()
    {
        var original = new StorageException(StorageErrorKind.InvalidName, "bad");

        Assert.Same(original, GraphErrors.Classify(original));
    }

    [Fact]
    public void ShouldClassify_CallersOwnCancellation_IsLeftAlone()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.False(GraphErrors.ShouldClassify(new OperationCanceledException(cts.Token), cts.Token));
        Assert.True(GraphErrors.ShouldClassify(new TaskCanceledException("timeout"), CancellationToken.None));
    }

    private static ODataError ODataErrorOf(int status, string code, string? retryAfter = null) => new()
    {
        ResponseStatusCode = status,
        ResponseHeaders = retryAfter is null
            ? new Dictionary<string, IEnumerable<string>>()
            : new Dictionary<string, IEnumerable<string>> { ["Retry-After"] = [retryAfter] },
        Error = new MainError { Code = code, Message = "message" },
    };
}

using System.Net;
using System.Net.Http;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Infrastructure;
using static SyncFunctions.IntegrationTests.Azure.BlobObjectStoreTests;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>
/// Faults injected in the HTTP pipeline reach the caller classified, after exactly one request:
/// the SDK's own retry is off, so Core's retry layer is the only one.
/// </summary>
[Collection("azurite")]
public sealed class AzureErrorsTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly AzureStorageConnection _connection;
    private readonly FaultInjectingHandler _faults;
    private readonly BlobObjectStore _store;

    public AzureErrorsTests(AzuriteFixture azurite)
    {
        FaultInjectingHandler? handler = null;
        _connection = azurite.Connect(inner => handler = new FaultInjectingHandler(inner));
        _faults = handler!;
        _store = BlobObjectStore.Create(_connection, AzuriteFixture.NewContainerName("faults"));
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task WriteAsync_ServerBusyWithRetryAfter_ThrowsThrottledAfterOneRequest()
    {
        await WriteTextAsync(_store, "warm-up", "creates the container");
        _faults.FailNext(1, IsPutOf("f"), Fault.ServerBusy(retryAfter: "3"));

        var e = await Assert.ThrowsAsync<StorageException>(() => WriteTextAsync(_store, "f", "x"));

        Assert.Equal((StorageErrorKind.Throttled, TimeSpan.FromSeconds(3), 503), (e.Kind, e.RetryAfter, e.Status));
        Assert.Equal(1, _faults.Count(r => r.Path.EndsWith("/f", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WriteAsync_Plain503_ThrowsTransientAfterOneRequest()
    {
        await WriteTextAsync(_store, "warm-up", "x");
        _faults.FailNext(1, IsPutOf("f"), Fault.Status(HttpStatusCode.ServiceUnavailable));

        var e = await Assert.ThrowsAsync<StorageException>(() => WriteTextAsync(_store, "f", "x"));

        Assert.Equal((StorageErrorKind.Transient, (TimeSpan?)null), (e.Kind, e.RetryAfter));
        Assert.Equal(1, _faults.Count(r => r.Path.EndsWith("/f", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GetInfoAsync_TooManyRequestsRetryAfter2_ThrowsThrottledWithTwoSeconds()
    {
        _faults.FailNext(1, _ => true, Fault.TooManyRequests(2));

        var e = await Assert.ThrowsAsync<StorageException>(() => _store.GetInfoAsync("f", Ct));

        Assert.Equal((StorageErrorKind.Throttled, TimeSpan.FromSeconds(2)), (e.Kind, e.RetryAfter));
        Assert.Single(_faults.Requests);
    }

    [Fact]
    public async Task GetInfoAsync_RetryAfterMilliseconds_IsPreferred()
    {
        _faults.FailNext(1, _ => true, Fault.Status(HttpStatusCode.TooManyRequests, retryAfter: "9", retryAfterMs: "250"));

        var e = await Assert.ThrowsAsync<StorageException>(() => _store.GetInfoAsync("f", Ct));

        Assert.Equal(TimeSpan.FromMilliseconds(250), e.RetryAfter);
    }

    [Fact]
    public async Task GetInfoAsync_Forbidden_ThrowsAuthentication()
    {
        _faults.FailNext(1, _ => true, Fault.Status(HttpStatusCode.Forbidden, "AuthenticationFailed"));

        var e = await Assert.ThrowsAsync<StorageException>(() => _store.GetInfoAsync("f", Ct));

        Assert.Equal(StorageErrorKind.Authentication, e.Kind);
        Assert.Single(_faults.Requests);
    }

    [Fact]
    public async Task ListAsync_ConnectionFailure_ThrowsTransientAfterOneRequest()
    {
        _faults.FailNext(1, _ => true, Fault.ConnectionFailure());

        var e = await Assert.ThrowsAsync<StorageException>(() => ListPathsAsync(_store));

        Assert.Equal(StorageErrorKind.Transient, e.Kind);
        Assert.Single(_faults.Requests);
    }

    [Fact]
    public async Task OpenReadAsync_Timeout_ThrowsTransientNotCancellation()
    {
        _faults.FailNext(1, _ => true, Fault.Timeout());

        var e = await Assert.ThrowsAsync<StorageException>(() => _store.OpenReadAsync("f", 0, null, Ct));

        Assert.Equal(StorageErrorKind.Transient, e.Kind);
        Assert.Single(_faults.Requests);
    }

    [Fact]
    public async Task GetInfoAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.GetInfoAsync("f", cancelled.Token));
    }

    [Theory]
    [InlineData(404, "BlobNotFound", StorageErrorKind.NotFound)]
    [InlineData(412, "ConditionNotMet", StorageErrorKind.PreconditionFailed)]
    [InlineData(409, "BlobAlreadyExists", StorageErrorKind.PreconditionFailed)]
    [InlineData(409, "LeaseIdMissing", StorageErrorKind.Permanent)]
    [InlineData(400, "InvalidResourceName", StorageErrorKind.InvalidName)]
    [InlineData(400, "InvalidHeaderValue", StorageErrorKind.Permanent)]
    [InlineData(401, "", StorageErrorKind.Authentication)]
    [InlineData(408, "", StorageErrorKind.Transient)]
    [InlineData(500, "OperationTimedOut", StorageErrorKind.Transient)]
    [InlineData(502, "", StorageErrorKind.Transient)]
    [InlineData(504, "", StorageErrorKind.Transient)]
    public async Task WriteAsync_InjectedStatus_IsClassified(int status, string code, StorageErrorKind expected)
    {
        await WriteTextAsync(_store, "warm-up", "x");
        _faults.FailNext(1, IsPutOf("f"), Fault.Status((HttpStatusCode)status, code.Length == 0 ? null : code));

        var e = await Assert.ThrowsAsync<StorageException>(() => WriteTextAsync(_store, "f", "x"));

        Assert.Equal((expected, status), (e.Kind, e.Status));
        Assert.Equal(1, _faults.Count(r => r.Path.EndsWith("/f", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TableLedger_ServerBusy_ThrowsThrottledAfterOneRequest()
    {
        var ledger = TableLedger.Create(_connection, AzuriteFixture.NewTablePrefix());
        await ledger.InitializeAsync(Ct);
        _faults.Reset();
        _faults.FailNext(1, _ => true, Fault.ServerBusy(retryAfter: "1"));

        var e = await Assert.ThrowsAsync<StorageException>(() => ledger.GetPairAsync("p1", Ct));

        Assert.Equal((StorageErrorKind.Throttled, TimeSpan.FromSeconds(1)), (e.Kind, e.RetryAfter));
        Assert.Single(_faults.Requests);
    }

    [Fact]
    public void Classify_RetryAfterHttpDate_IsDelayFromNow()
    {
        var now = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now);
        var response = new FakeResponse(503, ("Retry-After", now.AddSeconds(7).ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
        var failed = new global::Azure.RequestFailedException(response);

        var e = AzureErrors.Classify(failed, "probe", clock);

        Assert.Equal((StorageErrorKind.Throttled, TimeSpan.FromSeconds(7)), (e.Kind, e.RetryAfter));
    }

    private static Func<HttpRequestMessage, bool> IsPutOf(string name) =>
        r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith("/" + name, StringComparison.Ordinal);
}

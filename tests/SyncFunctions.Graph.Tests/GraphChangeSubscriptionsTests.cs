using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests;

/// <summary>Graph subscriptions through the SDK against the loopback server, on a fake clock shared by both.</summary>
public sealed class GraphChangeSubscriptionsTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly ValidationEcho _hook = new();
    private GraphDevServer _server = null!;
    private GraphConnection _connection = null!;
    private GraphChangeSubscriptions _subscriptions = null!;

    public async Task InitializeAsync()
    {
        _server = await GraphDevServer.StartAsync(new GraphDevOptions { TimeProvider = _time });
        _connection = GraphConnection.Create(_server.BaseUrl, GraphCredentials.None, timeProvider: _time);
        _subscriptions = new GraphChangeSubscriptions(_ => _connection);
    }

    public async Task DisposeAsync()
    {
        _connection.Dispose();
        await _server.DisposeAsync();
    }

    public void Dispose() => _hook.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("/docs/2026")]
    public async Task CreateAsync_DriveSource_SubscribesTheDriveRootAfterTheHandshake(string folder)
    {
        var created = await _subscriptions.CreateAsync(Request(Source(_server.DriveId + folder), _time.GetUtcNow().AddDays(2)), default);

        Assert.Equal([created.Id], _server.SubscriptionIds);
        Assert.Equal($"/drives/{_server.DriveId}/root", created.Resource);
        Assert.Equal(_time.GetUtcNow().AddDays(2), created.ExpiresAt);
        Assert.Equal(2, _hook.Validations.Count); // notification URL and lifecycle URL (the same)
    }

    [Fact]
    public async Task CreateAsync_MeDrive_ResolvesTheDriveId()
    {
        var created = await _subscriptions.CreateAsync(Request(Source("me"), _time.GetUtcNow().AddDays(1)), default);

        Assert.Equal($"/drives/{_server.DriveId}/root", created.Resource);
    }

    [Fact]
    public async Task CreateAsync_EndpointDoesNotEchoTheToken_PermanentFailureAndNothingCreated()
    {
        _hook.Echo = false;

        var e = await Assert.ThrowsAsync<StorageException>(() => _subscriptions.CreateAsync(Request(Source(_server.DriveId), _time.GetUtcNow().AddDays(2)), default));

        Assert.Equal(StorageErrorKind.Permanent, e.Kind);
        Assert.Contains("validation", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_server.SubscriptionIds);
    }

    [Fact]
    public async Task CreateAsync_ExpiryBeyondTheMaximum_AsksForAtMost42300Minutes()
    {
        var created = await _subscriptions.CreateAsync(Request(Source(_server.DriveId), _time.GetUtcNow().AddDays(60)), default);

        Assert.InRange(created.ExpiresAt, _time.GetUtcNow().AddMinutes(42300 - 10), _time.GetUtcNow().AddMinutes(42300));
    }

    [Fact]
    public async Task RenewAsync_BeforeExpiry_KeepsTheSubscriptionPastItsOldExpiry()
    {
        var source = Source(_server.DriveId);
        var created = await _subscriptions.CreateAsync(Request(source, _time.GetUtcNow().AddDays(1)), default);
        _time.Advance(TimeSpan.FromHours(20));

        var renewed = await _subscriptions.RenewAsync(source, created.Id, _time.GetUtcNow().AddDays(2), default);
        _time.Advance(TimeSpan.FromHours(10));

        Assert.Equal(_time.GetUtcNow().AddDays(2) - TimeSpan.FromHours(10), renewed);
        Assert.True(_time.GetUtcNow() > created.ExpiresAt);
        Assert.Equal([created.Id], _server.SubscriptionIds);
    }

    [Fact]
    public async Task RenewAsync_Expired_ReturnsNull()
    {
        var source = Source(_server.DriveId);
        var created = await _subscriptions.CreateAsync(Request(source, _time.GetUtcNow().AddHours(1)), default);
        _time.Advance(TimeSpan.FromHours(2));

        Assert.Null(await _subscriptions.RenewAsync(source, created.Id, _time.GetUtcNow().AddDays(2), default));
    }

    [Fact]
    public async Task DeleteAsync_ThenAgain_TrueThenFalse()
    {
        var source = Source(_server.DriveId);
        var created = await _subscriptions.CreateAsync(Request(source, _time.GetUtcNow().AddDays(1)), default);

        Assert.True(await _subscriptions.DeleteAsync(source, created.Id, default));
        Assert.False(await _subscriptions.DeleteAsync(source, created.Id, default));
        Assert.Empty(_server.SubscriptionIds);
    }

    [Fact]
    public void SubscribeProblem_DriveSourceOrOther_NullOrWhy()
    {
        Assert.Null(_subscriptions.SubscribeProblem(Source("b!abc/folder")));
        Assert.Contains("Microsoft 365 drive", _subscriptions.SubscribeProblem("local:/home/u/docs"), StringComparison.Ordinal);
        Assert.Contains("'blob:'", _subscriptions.SubscribeProblem("blob:http://127.0.0.1:10000/devstoreaccount1|c"), StringComparison.Ordinal);
        Assert.NotNull(_subscriptions.SubscribeProblem("graph:no-base-url"));
    }

    private string Source(string drive) => $"graph:{_server.BaseUrl.ToString().TrimEnd('/')}|{drive}";

    private ChangeSubscriptionRequest Request(string source, DateTimeOffset expiresAt) => new(source, _hook.Url, "client-state-" + Guid.NewGuid().ToString("N"), expiresAt);
}

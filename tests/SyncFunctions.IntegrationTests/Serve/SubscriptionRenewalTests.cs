using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Graph;
using SyncFunctions.GraphDev;
using SyncFunctions.IntegrationTests.Infrastructure;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>
/// Renewal on a fake clock shared by the loopback Graph server and the service: the Table ledger on Azurite, the
/// Graph adapter through the SDK, and the webhook service answering the handshakes (on its own listener).
/// </summary>
[Collection("azurite")]
public sealed class SubscriptionRenewalTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly WebhookListener _hook = new();
    private readonly Starts _runs = new();
    private GraphDevServer _server = null!;
    private GraphConnection _connection = null!;
    private TableLedger _ledger = null!;
    private PairSubscriptions _subscriptions = null!;
    private PairService _pairs = null!;

    public async Task InitializeAsync()
    {
        _server = await GraphDevServer.StartAsync(new GraphDevOptions { TimeProvider = _time });
        _connection = GraphConnection.Create(_server.BaseUrl, GraphCredentials.None, timeProvider: _time);
        _ledger = TableLedger.Create(azurite.Connect(), AzuriteFixture.NewTablePrefix());
        await _ledger.InitializeAsync(default);
        _subscriptions = new PairSubscriptions(_ledger, _ledger, new GraphChangeSubscriptions(_ => _connection), () => _hook.BaseUrl, _time);
        _pairs = new PairService(_ledger, new Verbatim(), _time) { Subscriptions = _subscriptions };
        _hook.Service = new GraphWebhookService(_ledger, _subscriptions, _runs, _time);
    }

    public async Task DisposeAsync()
    {
        _connection.Dispose();
        await _server.DisposeAsync();
    }

    public void Dispose() => _hook.Dispose();

    [Fact]
    public async Task RenewDueAsync_FakeClock_RenewsBeforeExpiryThenRecreatesWhatGraphDropped()
    {
        var added = await _pairs.AddAsync(new PairRequest("drive", $"graph:{_server.BaseUrl.ToString().TrimEnd('/')}|{_server.DriveId}", "blob:x", Subscribe: true), default);
        Assert.True(added.Outcome == ServiceOutcome.Created, added.Problem);
        var first = Assert.Single(await RecordsAsync());
        Assert.Equal([first.SubscriptionId], _server.SubscriptionIds);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromDays(2), first.ExpiresAt);

        Assert.Equal(new RenewalStats(1, 0, 0, 0, 0, 0), await _subscriptions.RenewDueAsync(default));
        _time.Advance(TimeSpan.FromHours(40));
        Assert.Equal(new RenewalStats(1, 1, 0, 0, 0, 0), await _subscriptions.RenewDueAsync(default));
        _time.Advance(TimeSpan.FromHours(10));

        Assert.True(_time.GetUtcNow() > first.ExpiresAt);
        Assert.Equal([first.SubscriptionId], _server.SubscriptionIds);
        var renewed = Assert.Single(await RecordsAsync());
        Assert.Equal((first.SubscriptionId, first.ClientState), (renewed.SubscriptionId, renewed.ClientState));
        Assert.True(renewed.ExpiresAt > _time.GetUtcNow());

        // Left alone past its expiry, Graph forgets it: the next pass creates a new one (handshake again).
        _time.Advance(TimeSpan.FromDays(3));
        Assert.Empty(_server.SubscriptionIds);
        Assert.Equal(new RenewalStats(1, 0, 1, 0, 0, 0), await _subscriptions.RenewDueAsync(default));
        var replacement = Assert.Single(await RecordsAsync());
        Assert.NotEqual(first.SubscriptionId, replacement.SubscriptionId);
        Assert.Equal([replacement.SubscriptionId], _server.SubscriptionIds);

        // Notifications of the new subscription reach the service and start the pair.
        _server.Drive.WriteFile("after-recreate.txt", [1, 2, 3]);
        var started = await _runs.Next.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(("drive", "graph-webhook"), started);
    }

    private async Task<List<SubscriptionRecord>> RecordsAsync()
    {
        var all = new List<SubscriptionRecord>();
        await foreach (var record in _ledger.ListSubscriptionsAsync(default))
        {
            all.Add(record);
        }

        return all;
    }

    private sealed class Verbatim : IPairEndpoints
    {
        public (string Source, string Destination) Resolve(string source, string destination) => (source, destination);
    }

    private sealed class Starts : IRunStarter
    {
        public TaskCompletionSource<(string, string)> Next { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<string> All { get; } = new();

        public Task<ServiceResult<RunStarted>> StartAsync(string name, string trigger, bool markDirtyWhenBusy, CancellationToken cancellationToken)
        {
            All.Enqueue(name);
            Next.TrySetResult((name, trigger));
            return Task.FromResult(new ServiceResult<RunStarted>(ServiceOutcome.Accepted, new RunStarted("r1", name, "started", null)));
        }
    }
}

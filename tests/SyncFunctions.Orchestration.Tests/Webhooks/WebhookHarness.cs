using System.Text;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Orchestration.Tests.Webhooks;

/// <summary>The webhook service over in-memory fakes and a fake clock, with helpers to add subscribing pairs and post bodies.</summary>
internal sealed class WebhookHarness
{
    public static readonly Uri PublicUrl = new("https://sync.example.test/");

    public WebhookHarness()
    {
        Service = new FakeChangeSubscriptions(Time);
        Subscriptions = new PairSubscriptions(Ledger, Ledger, Service, () => PublicUrl, Time, Log);
        Pairs = new PairService(Ledger, new VerbatimEndpoints(), Time) { Subscriptions = Subscriptions };
        Webhooks = new GraphWebhookService(Ledger, Subscriptions, Runs, Time, Log);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));

    public InMemoryLedger Ledger { get; } = new();

    public FakeChangeSubscriptions Service { get; }

    public PairSubscriptions Subscriptions { get; }

    public PairService Pairs { get; }

    public RecordingRunStarter Runs { get; } = new();

    public TestLogger Log { get; } = new();

    public GraphWebhookService Webhooks { get; }

    /// <summary>Adds a subscribing drive pair through the pair service; returns its subscription record.</summary>
    public async Task<SubscriptionRecord> AddPairAsync(string name)
    {
        var added = await Pairs.AddAsync(new PairRequest(name, $"graph:http://127.0.0.1:1/v1.0|d-{name}", $"blob:{name}", Subscribe: true), default);
        Assert.True(added.Outcome == ServiceOutcome.Created, added.Problem);
        return Assert.Single(await RecordsAsync(), r => r.PairName == name);
    }

    public async Task<List<SubscriptionRecord>> RecordsAsync()
    {
        var all = new List<SubscriptionRecord>();
        await foreach (var record in Ledger.ListSubscriptionsAsync(default))
        {
            all.Add(record);
        }

        return all;
    }

    public Task<WebhookResponse> PostAsync(string json, string contentType = "application/json; charset=utf-8") =>
        Webhooks.HandleAsync(new WebhookRequest(null, contentType, Encoding.UTF8.GetBytes(json)), default);

    /// <summary>A changeNotificationCollection of (subscription id, clientState, lifecycle event or null) entries.</summary>
    public static string Collection(params (string Id, string? ClientState, string? LifecycleEvent)[] notifications) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            value = notifications.Select(n => new Dictionary<string, object?>
            {
                ["subscriptionId"] = n.Id,
                ["subscriptionExpirationDateTime"] = "2026-03-03T08:00:00+00:00",
                ["tenantId"] = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                ["clientState"] = n.ClientState,
                [n.LifecycleEvent is null ? "changeType" : "lifecycleEvent"] = n.LifecycleEvent ?? "updated",
                ["resource"] = "drives/d1/root",
            }),
        });
}

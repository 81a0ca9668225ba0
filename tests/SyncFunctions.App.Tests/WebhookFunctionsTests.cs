using SyncFunctions.Abstractions;
using SyncFunctions.App.Composition;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using static SyncFunctions.App.Tests.Infrastructure.AppFixture;

namespace SyncFunctions.App.Tests;

/// <summary>
/// The webhooks as the Functions host calls them (anonymous), on the same host-neutral services as <c>serve</c>: the
/// Graph validation echo and the acknowledgement of notifications, Event Grid's validation and the CloudEvents
/// handshake; without a subscription service or a public URL the Graph route says it takes no notifications.
/// </summary>
public sealed class WebhookFunctionsTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly AppFixture _fixture = new();
    private readonly RecordingDurableClient _client = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task GraphWebhook_NoSubscriptionService_404Problem()
    {
        var functions = new WebhookFunctions(_fixture.App);
        var request = Request("POST", "/api/webhooks/graph", body: "{}", query: "?validationToken=abc");

        var response = await ExecuteAsync(request, await functions.GraphAsync(request, _client, Ct));

        Assert.Equal(404, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
    }

    [Fact]
    public async Task GraphWebhook_ValidationToken_EchoedDecodedAsText()
    {
        var functions = new WebhookFunctions(Subscribing());
        var request = Request("POST", "/api/webhooks/graph", body: "", contentType: "text/plain; charset=utf-8", query: "?validationToken=a%20b%2Bc%3D");

        var response = await ExecuteAsync(request, await functions.GraphAsync(request, _client, Ct));

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/plain", response.ContentType, StringComparison.Ordinal);
        Assert.Equal("a b+c=", response.Body);
    }

    [Fact]
    public async Task GraphWebhook_NotificationOfAnUnknownSubscription_AcceptedAndNothingStarted()
    {
        var functions = new WebhookFunctions(Subscribing());
        var body = Json(new { value = new[] { new { subscriptionId = Guid.NewGuid(), clientState = "guess", changeType = "updated", resource = "drives/d/root", tenantId = Guid.NewGuid() } } });
        var request = Request("POST", "/api/webhooks/graph", body: body);

        var response = await ExecuteAsync(request, await functions.GraphAsync(request, _client, Ct));

        Assert.Equal(202, response.Status);
        Assert.Empty(_client.Instances);
    }

    [Fact]
    public async Task BlobEventsWebhook_EventGridValidation_AnswersTheCode()
    {
        var functions = new WebhookFunctions(_fixture.App);
        var body = Json(new[]
        {
            new
            {
                id = Guid.NewGuid().ToString(), topic = "/subscriptions/x/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/acct",
                subject = "", eventType = "Microsoft.EventGrid.SubscriptionValidationEvent", eventTime = "2026-12-03T10:00:00Z",
                data = new { validationCode = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" }, dataVersion = "1", metadataVersion = "1",
            },
        });
        var request = Request("POST", "/api/webhooks/blob-events", body: body);
        request.Headers["aeg-event-type"] = "SubscriptionValidation";

        var response = await ExecuteAsync(request, await functions.BlobEventsAsync(request, _client, Ct));

        Assert.Equal(200, response.Status);
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", response.Json.GetProperty("validationResponse").GetString());
    }

    [Fact]
    public async Task BlobEventsWebhook_CloudEventsHandshake_AllowsTheOrigin()
    {
        var functions = new WebhookFunctions(_fixture.App);
        var request = Request("OPTIONS", "/api/webhooks/blob-events");
        request.Headers["WebHook-Request-Origin"] = "eventgrid.azure.net";

        var response = await ExecuteAsync(request, await functions.BlobEventsAsync(request, _client, Ct));

        Assert.Equal(200, response.Status);
        Assert.Equal("eventgrid.azure.net", response.Headers["WebHook-Allowed-Origin"].ToString());
    }

    [Fact]
    public async Task BlobEventsWebhook_MalformedBody_400ProblemAndNothingStaged()
    {
        var functions = new WebhookFunctions(_fixture.App);
        var request = Request("POST", "/api/webhooks/blob-events", body: "[{\"eventType\":");

        var response = await ExecuteAsync(request, await functions.BlobEventsAsync(request, _client, Ct));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Empty(_client.Instances);
    }

    /// <summary>The fixture's services with a subscription service and a public URL: the Graph route is served.</summary>
    private AppHost Subscribing() =>
        AppHost.Of(_fixture.Services with { PublicUrl = new Uri("https://" + Host), ChangeSubscriptions = new NoSubscriptions() }, _fixture.App.Owner);

    /// <summary>A subscription service the webhook never reaches in these tests (no pair subscribes).</summary>
    private sealed class NoSubscriptions : IChangeSubscriptions
    {
        public string? SubscribeProblem(string source) => null;

        public Task<ChangeSubscription> CreateAsync(ChangeSubscriptionRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DateTimeOffset?> RenewAsync(string source, string subscriptionId, DateTimeOffset expiresAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string source, string subscriptionId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.GraphDev;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Graph;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>
/// The webhook flow end to end: <c>syncfn serve</c> (child process, test Azurite) and the loopback Graph server
/// in-process. A pair added with subscribe=true gets a subscription (the server performs the validation handshake
/// against serve), an edit in the drive posts a notification, and the file reaches the destination without any
/// other step; lifecycle events renew, recreate and reconcile.
/// </summary>
[Collection("azurite")]
public sealed partial class ServeWebhookTests(AzuriteFixture azurite) : GraphCliTestBase(azurite)
{
    private const string Key = "webhook-test-key-0123";
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Serve_SubscribedDrivePair_AnEditReachesTheDestinationThroughTheWebhook()
    {
        var server = await StartServerAsync();
        var destination = NewTree("hook-dst");
        await using var serve = StartServe(server);
        var http = await ConnectAsync(serve);

        using var created = await http.PostAsync("api/pairs", Body(new { name = "drive", source = DriveEndpoint(server), destination = destination.Root, subscribe = true }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var subscriptionId = Assert.Single(server.SubscriptionIds);
        var record = await Ledger().GetSubscriptionAsync(subscriptionId, default);
        Assert.Equal(("drive", $"/drives/{server.DriveId}/root"), (record!.PairName, record.Resource));

        var content = Encoding.UTF8.GetBytes("edited in the drive at " + Guid.NewGuid());
        WriteDriveFile(server, "notes/edit.txt", content);
        await FileWaits.WaitForLengthAsync(Path.Join(destination.Root, "notes", "edit.txt"), content.Length, Bound);

        var run = await WaitForAsync(async () => (await RunsAsync(http, "drive")).FirstOrDefault(r => r.GetProperty("runtimeStatus").GetString() == "Completed"));
        Assert.Equal("graph-webhook", run.GetProperty("trigger").GetString());
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Join(destination.Root, "notes", "edit.txt")));
        Assert.True(server.NotificationsDelivered >= 1);

        // A second notification of the same edit may have marked the pair to run once more: remove it once idle.
        await RemoveWhenIdleAsync(http, "drive");
        Assert.Empty(server.SubscriptionIds);
        Assert.Null(await Ledger().GetSubscriptionAsync(subscriptionId, default));
        await StopAsync(serve);
    }

    [Fact]
    public async Task Serve_LifecycleEvents_RenewRecreateAndReconcile()
    {
        var server = await StartServerAsync();
        var destination = NewTree("life-dst");
        await using var serve = StartServe(server);
        var http = await ConnectAsync(serve);
        using var created = await http.PostAsync("api/pairs", Body(new { name = "life", source = DriveEndpoint(server), destination = destination.Root, subscribe = true }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var first = (await Ledger().GetSubscriptionAsync(Assert.Single(server.SubscriptionIds), default))!;

        Assert.True(await server.SendLifecycleNotificationAsync(first.SubscriptionId, "reauthorizationRequired"));
        var renewed = await WaitForAsync(async () => await Ledger().GetSubscriptionAsync(first.SubscriptionId, default) is { } r && r.ExpiresAt > first.ExpiresAt ? r : null);
        Assert.Equal(first.ClientState, renewed.ClientState);
        Assert.Empty(await RunsAsync(http, "life"));

        Assert.True(await server.SendLifecycleNotificationAsync(first.SubscriptionId, "missed"));
        var reconciled = await WaitForAsync(async () => (await RunsAsync(http, "life")).FirstOrDefault());
        Assert.Equal("graph-webhook", reconciled.GetProperty("trigger").GetString());

        Assert.True(await server.SendLifecycleNotificationAsync(first.SubscriptionId, "subscriptionRemoved"));
        var replacement = await WaitForAsync(() => Task.FromResult(server.SubscriptionIds is [var id] && id != first.SubscriptionId ? id : null));
        var record = await WaitForAsync(() => Ledger().GetSubscriptionAsync(replacement, default));
        Assert.Equal("life", record.PairName);
        Assert.NotEqual(first.ClientState, record.ClientState);
        Assert.Null(await Ledger().GetSubscriptionAsync(first.SubscriptionId, default));
        await RemoveWhenIdleAsync(http, "life");
        Assert.Empty(server.SubscriptionIds);
        await StopAsync(serve);
    }

    [Fact]
    public async Task Serve_WebhookRoute_NoKeyNeededEchoesTokensAndRefusesBadInput()
    {
        var server = await StartServerAsync();
        var source = NewTree("hook-src");
        await using var serve = StartServe(server);
        var http = await ConnectAsync(serve);
        using var anonymous = new HttpClient { BaseAddress = http.BaseAddress };

        using var validation = await anonymous.PostAsync("api/webhooks/graph?validationToken=Validation%3A%20hello+world%20%E6%97%A5", new StringContent("", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, validation.StatusCode);
        Assert.Equal("text/plain", validation.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Validation: hello world 日", await validation.Content.ReadAsStringAsync());

        foreach (var (body, type, status) in new[] { ("{", "application/json", 400), ("{\"value\":[{}]}", "application/json", 400), ("x", "text/plain", 415) })
        {
            using var bad = await anonymous.PostAsync("api/webhooks/graph", new StringContent(body, Encoding.UTF8, type));
            Assert.Equal(status, (int)bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        }

        using var unknown = await anonymous.PostAsync("api/webhooks/graph", new StringContent("{\"value\":[{\"subscriptionId\":\"" + Guid.NewGuid() + "\",\"clientState\":\"guess\"}]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);

        using var local = await http.PostAsync("api/pairs", Body(new { name = "local", source = source.Root, destination = "blob:" + NewContainer("nosub"), subscribe = true }));
        Assert.Equal(HttpStatusCode.BadRequest, local.StatusCode);
        Assert.Contains("Microsoft 365 drive source", await local.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/pairs/local")).StatusCode);
        await StopAsync(serve);
    }

    private CliRunner StartServe(GraphDevServer server) =>
        CliRunner.Start(
            Home.Root,
            ["serve", "--port", "0", "--task-hub", "h" + Guid.NewGuid().ToString("N")[..12], "--storage", Storage],
            environment: new Dictionary<string, string?> { ["SYNCFN_API_KEY"] = Key, ["SYNCFN_GRAPH_URL"] = server.BaseUrl.ToString() });

    private static async Task<HttpClient> ConnectAsync(CliRunner serve)
    {
        var line = await serve.WaitForStdoutAsync(l => l.StartsWith("serve listening on ", StringComparison.Ordinal));
        var match = ListeningLine().Match(line);
        Assert.True(match.Success, line);
        return new HttpClient { BaseAddress = new Uri(match.Groups[1].Value + "/"), DefaultRequestHeaders = { { "x-functions-key", Key } } };
    }

    private static async Task StopAsync(CliRunner serve)
    {
        serve.Signal(15);
        var exit = await serve.WaitForExitAsync();
        Assert.True(exit.ExitCode == 0, exit.ToString());
    }

    /// <summary>Removes the pair once no run of it is active (the ledger is shared with the other serve tests).</summary>
    private static Task RemoveWhenIdleAsync(HttpClient http, string pair) =>
        WaitForAsync(async () =>
        {
            using var removed = await http.DeleteAsync("api/pairs/" + pair);
            return removed.StatusCode == HttpStatusCode.OK ? "removed" : null;
        });

    private TableLedger Ledger() => TableLedger.Create(Azurite.Connect());

    private static async Task<List<JsonElement>> RunsAsync(HttpClient http, string pair) =>
        [.. (await http.GetFromJsonAsync<JsonElement>("api/runs?pair=" + pair)).EnumerateArray()];

    /// <summary>Polls <paramref name="probe"/> (ledger or API state) until it yields a value; fails after <see cref="Bound"/>.</summary>
    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
    {
        using var deadline = new CancellationTokenSource(Bound);
        while (true)
        {
            if (await probe() is { } value && (value is not JsonElement e || e.ValueKind != JsonValueKind.Undefined))
            {
                return value;
            }

            Assert.False(deadline.IsCancellationRequested, "the expected state did not arrive in time");
            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    [GeneratedRegex("^serve listening on (http://127\\.0\\.0\\.1:[0-9]+)$")]
    private static partial Regex ListeningLine();
}

using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions.Serialization;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class SubscriptionTests
{
    [Fact]
    public async Task Create_ValidationEchoed_Returns201AndNotifiesOnChange()
    {
        await using var server = await Servers.StartAsync();
        await using var listener = await NotificationListener.StartAsync();
        using var graph = TestGraph.Create(server);

        var created = await graph.Client.Subscriptions.PostAsync(NewSubscription(server, listener.Url.ToString()));
        var token = await listener.NextValidationAsync();
        server.Drive.WriteFile("changed.txt", [1]);
        var json = await listener.NextNotificationAsync();
        var collection = await KiotaJsonSerializer.DeserializeAsync(json, ChangeNotificationCollection.CreateFromDiscriminatorValue);

        Assert.StartsWith("Validation: ", token, StringComparison.Ordinal);
        Assert.Equal($"/drives/{server.DriveId}/root", created!.Resource);
        var notification = Assert.Single(collection!.Value!);
        Assert.Equal(Guid.Parse(created.Id!), notification.SubscriptionId);
        Assert.Equal("secret-state", notification.ClientState);
        Assert.Equal(ChangeType.Updated, notification.ChangeType);
        Assert.Equal($"drives/{server.DriveId}/root", notification.Resource);
        Assert.NotNull(notification.TenantId);
        Assert.Contains(created.Id!, server.SubscriptionIds);
    }

    [Fact]
    public async Task Create_EndpointDoesNotEchoTheToken_Returns400AndCreatesNothing()
    {
        await using var server = await Servers.StartAsync();
        await using var listener = await NotificationListener.StartAsync();
        listener.EchoValidation = false;
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Subscriptions.PostAsync(NewSubscription(server, listener.Url.ToString())));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Empty(server.SubscriptionIds);
    }

    [Theory]
    [InlineData("https://example.com/hook")]
    [InlineData("http://10.0.0.1/hook")]
    public async Task Create_NonLoopbackNotificationUrl_Returns400WithoutCallingIt(string url)
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Subscriptions.PostAsync(NewSubscription(server, url)));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Contains("loopback", error.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ExpirationBeyond42300Minutes_Returns400()
    {
        await using var server = await Servers.StartAsync();
        await using var listener = await NotificationListener.StartAsync();
        using var graph = TestGraph.Create(server);
        var subscription = NewSubscription(server, listener.Url.ToString());
        subscription.ExpirationDateTime = DateTimeOffset.UtcNow.AddDays(31);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Subscriptions.PostAsync(subscription));

        Assert.Equal(400, error.ResponseStatusCode);
    }

    [Fact]
    public async Task Create_UnsupportedResource_Returns400()
    {
        await using var server = await Servers.StartAsync();
        await using var listener = await NotificationListener.StartAsync();
        using var graph = TestGraph.Create(server);
        var subscription = NewSubscription(server, listener.Url.ToString());
        subscription.Resource = "/me/messages";

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Subscriptions.PostAsync(subscription));

        Assert.Equal(400, error.ResponseStatusCode);
    }

    [Fact]
    public async Task RenewAndDelete_ChangeTheExpiryThenRemoveTheSubscription()
    {
        await using var server = await Servers.StartAsync();
        await using var listener = await NotificationListener.StartAsync();
        using var graph = TestGraph.Create(server);
        var created = await graph.Client.Subscriptions.PostAsync(NewSubscription(server, listener.Url.ToString()));
        var later = DateTimeOffset.UtcNow.AddDays(20);

        var renewed = await graph.Client.Subscriptions[created!.Id].PatchAsync(new Subscription { ExpirationDateTime = later });
        await graph.Client.Subscriptions[created.Id].DeleteAsync();
        var gone = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Subscriptions[created.Id].PatchAsync(new Subscription { ExpirationDateTime = later }));

        Assert.Equal(later.ToUnixTimeSeconds(), renewed!.ExpirationDateTime!.Value.ToUnixTimeSeconds());
        Assert.Equal(404, gone.ResponseStatusCode);
        Assert.Empty(server.SubscriptionIds);
    }

    [Fact]
    public async Task Notification_EndpointFailsOnce_IsRetried()
    {
        await using var server = await Servers.StartAsync(o => o.NotificationRetryDelays = [TimeSpan.Zero]);
        await using var listener = await NotificationListener.StartAsync();
        using var graph = TestGraph.Create(server);
        await graph.Client.Subscriptions.PostAsync(NewSubscription(server, listener.Url.ToString()));
        listener.FailNextNotifications(1);

        server.Drive.WriteFile("retry.txt", [1]);
        var first = await listener.NextNotificationAsync();
        var second = await listener.NextNotificationAsync();

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task SendLifecycleNotification_PostsTheEventToTheLifecycleUrl()
    {
        await using var server = await Servers.StartAsync();
        await using var listener = await NotificationListener.StartAsync();
        using var graph = TestGraph.Create(server);
        var subscription = NewSubscription(server, listener.Url.ToString());
        subscription.LifecycleNotificationUrl = listener.Url + "?lifecycle=1";
        var created = await graph.Client.Subscriptions.PostAsync(subscription);

        var delivered = await server.SendLifecycleNotificationAsync(created!.Id!, "reauthorizationRequired");
        var json = await listener.NextNotificationAsync();
        var collection = await KiotaJsonSerializer.DeserializeAsync(json, ChangeNotificationCollection.CreateFromDiscriminatorValue);

        Assert.True(delivered);
        Assert.Equal(LifecycleEventType.ReauthorizationRequired, Assert.Single(collection!.Value!).LifecycleEvent);
    }

    private static Subscription NewSubscription(GraphDevServer server, string url) => new()
    {
        ChangeType = "updated",
        NotificationUrl = url,
        Resource = $"/drives/{server.DriveId}/root",
        ExpirationDateTime = DateTimeOffset.UtcNow.AddDays(2),
        ClientState = "secret-state",
    };
}

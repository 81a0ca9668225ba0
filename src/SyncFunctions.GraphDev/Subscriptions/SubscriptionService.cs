using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SyncFunctions.GraphDev.Http;

namespace SyncFunctions.GraphDev.Subscriptions;

/// <summary>A change-notification subscription on the drive root.</summary>
internal sealed class Subscription
{
    public required string Id { get; init; }

    public required string Resource { get; init; }

    public required string NotificationUrl { get; init; }

    public string? LifecycleNotificationUrl { get; init; }

    public string? ClientState { get; init; }

    public DateTimeOffset Expiration { get; set; }

    /// <summary>1 while a notification is queued and not yet being sent (coalesces bursts of changes).</summary>
    public int Pending;
}

/// <summary>
/// /subscriptions: create (with the validation handshake), get, renew, delete, reauthorize; and
/// delivery of change notifications to loopback notification URLs when the drive changes. Bursts of
/// changes coalesce into one notification per subscription while one is queued; a failed delivery is
/// retried a bounded number of times. Thread-safe.
/// </summary>
internal sealed partial class SubscriptionService : IAsyncDisposable
{
    /// <summary>Longest lifetime Graph allows for driveItem subscriptions.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(42300);

    /// <summary>The tenant id notifications carry (a GUID, as the SDK's ChangeNotification requires).</summary>
    public static readonly Guid TenantId = new("7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");

    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _deliveries = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly GraphDevDrive _drive;
    private readonly GraphDevOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private string _apiBase = "http://127.0.0.1/v1.0";

    public SubscriptionService(GraphDevDrive drive, GraphDevOptions options, ILogger logger)
    {
        _drive = drive;
        _options = options;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan, // timeouts come from the TimeProvider-aware token below
        };
        drive.Changed += OnDriveChanged;
    }

    /// <summary>Notifications delivered with a 2xx answer.</summary>
    public int Delivered => Volatile.Read(ref _delivered);

    private int _delivered;

    private TimeProvider Time => _options.TimeProvider;

    public string ApiBase
    {
        get => Volatile.Read(ref _apiBase);
        set => Volatile.Write(ref _apiBase, value);
    }

    public IReadOnlyList<string> ActiveIds() =>
        _subscriptions.Values.Where(s => s.Expiration > Time.GetUtcNow()).Select(s => s.Id).ToList();

    public async ValueTask DisposeAsync()
    {
        _drive.Changed -= OnDriveChanged;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_deliveries.Keys).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Deliveries stop with the server.
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private void OnDriveChanged()
    {
        var now = Time.GetUtcNow();
        foreach (var subscription in _subscriptions.Values)
        {
            if (subscription.Expiration > now && Interlocked.Exchange(ref subscription.Pending, 1) == 0)
            {
                Track(DeliverAsync(subscription));
            }
        }
    }

    private void Track(Task delivery)
    {
        _deliveries[delivery] = 0;
        _ = delivery.ContinueWith(t => _deliveries.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task DeliverAsync(Subscription subscription)
    {
        await Task.Yield(); // never run delivery on the thread that changed the drive
        Interlocked.Exchange(ref subscription.Pending, 0);
        var body = NotificationBody(subscription, lifecycleEvent: null);
        for (var attempt = 0; attempt <= _options.NotificationRetryDelays.Count; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(_options.NotificationRetryDelays[attempt - 1], Time, _stop.Token).ConfigureAwait(false);
            }

            if (!_subscriptions.ContainsKey(subscription.Id) || subscription.Expiration <= Time.GetUtcNow())
            {
                return;
            }

            if (await PostAsync(subscription.NotificationUrl, body).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _delivered);
                return;
            }
        }

        Log.NotificationDropped(_logger, subscription.Id);
    }

    /// <summary>Posts a lifecycle event (e.g. reauthorizationRequired) to the subscription's lifecycle URL.</summary>
    public async Task<bool> SendLifecycleAsync(string subscriptionId, string lifecycleEvent)
    {
        if (!_subscriptions.TryGetValue(subscriptionId, out var subscription))
        {
            return false;
        }

        var url = subscription.LifecycleNotificationUrl ?? subscription.NotificationUrl;
        return await PostAsync(url, NotificationBody(subscription, lifecycleEvent)).ConfigureAwait(false);
    }

    private async Task<bool> PostAsync(string url, string json)
    {
        using var timeout = new CancellationTokenSource(_options.NotificationTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
        try
        {
            using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(new Uri(url), content, linked.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException && !_stop.IsCancellationRequested)
        {
            Log.NotificationFailed(_logger, url, error.Message);
            return false;
        }
    }

    private string NotificationBody(Subscription subscription, string? lifecycleEvent)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("value");
            w.WriteStartObject();
            w.WriteString("subscriptionId", subscription.Id);
            w.WriteString("subscriptionExpirationDateTime", subscription.Expiration.ToString("o", CultureInfo.InvariantCulture));
            w.WriteString("tenantId", TenantId.ToString());
            if (subscription.ClientState is { } clientState)
            {
                w.WriteString("clientState", clientState);
            }

            if (lifecycleEvent is null)
            {
                w.WriteString("changeType", "updated");
                w.WriteString("resource", subscription.Resource.TrimStart('/'));
            }
            else
            {
                w.WriteString("lifecycleEvent", lifecycleEvent);
            }

            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Only loopback notification URLs: the dev server must never call out of the machine.</summary>
    internal static bool IsLoopback(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) &&
        (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
         (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Notification for subscription {SubscriptionId} dropped after all retries")]
        public static partial void NotificationDropped(ILogger logger, string subscriptionId);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Notification POST to {Url} failed: {Reason}")]
        public static partial void NotificationFailed(ILogger logger, string url, string reason);
    }
}

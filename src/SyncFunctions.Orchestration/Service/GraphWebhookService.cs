using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Orchestration.Service;

/// <summary>A webhook request as any host receives it.</summary>
/// <param name="Query">The raw (still URL-encoded) query string, with or without its leading '?'; null when none.</param>
/// <param name="ContentType">The Content-Type header; null when none.</param>
/// <param name="Body">The body (the host reads at most <see cref="GraphWebhookService.MaxBodyBytes"/> + 1 bytes).</param>
public sealed record WebhookRequest(string? Query, string? ContentType, ReadOnlyMemory<byte> Body);

/// <summary>What a host answers a webhook request with.</summary>
/// <param name="Status">The HTTP status: 200 (validation echo), 202 (notifications taken), 4xx (bad input).</param>
/// <param name="ContentType">The Content-Type of <paramref name="Body"/>.</param>
/// <param name="Body">The body text.</param>
public sealed record WebhookResponse(int Status, string ContentType, string Body);

/// <summary>
/// Graph change notifications, host-neutral (the Functions app and <c>serve</c> map their HTTP trigger to it): the
/// validation handshake (the decoded <c>validationToken</c> echoed as text/plain at once), change notifications
/// (each checked against its subscription's <c>clientState</c> in constant time; unknown ids and mismatches are
/// ignored without a word, still 202; one run start per pair per request) and lifecycle notifications
/// (<c>reauthorizationRequired</c> renews, <c>subscriptionRemoved</c> recreates and runs, <c>missed</c> runs).
/// </summary>
/// <remarks>
/// Graph wants an answer within 3 seconds: the work of a request runs in the background and the answer waits for it
/// at most <see cref="ResponseBound"/>; what fails later is logged (never a clientState). Bad input gets a 4xx
/// problem, never a 5xx. Thread-safe.
/// </remarks>
public sealed partial class GraphWebhookService
{
    /// <summary>The trigger of the runs notifications start.</summary>
    public const string Trigger = "graph-webhook";

    /// <summary>The largest body taken (Graph batches notifications; a drive subscription's is about 400 bytes).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The most notifications one request may carry.</summary>
    public const int MaxNotifications = 1000;

    /// <summary>The longest validation token echoed (decoded characters).</summary>
    public const int MaxValidationTokenLength = 1024;

    private readonly ISubscriptionLedger _records;
    private readonly PairSubscriptions _subscriptions;
    private readonly IRunStarter _runs;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();

    /// <param name="records">The subscription records (to find a notification's pair).</param>
    /// <param name="subscriptions">Renewal and recreation for lifecycle events.</param>
    /// <param name="runs">Starts (or marks) the runs.</param>
    /// <param name="time">The clock of <see cref="ResponseBound"/>.</param>
    /// <param name="log">Where background failures go; none when null.</param>
    /// <param name="stopping">Cancels background work when the host stops.</param>
    public GraphWebhookService(ISubscriptionLedger records, PairSubscriptions subscriptions, IRunStarter runs, TimeProvider time, ILogger? log = null, CancellationToken stopping = default)
    {
        _records = records;
        _subscriptions = subscriptions;
        _runs = runs;
        _time = time;
        _log = log ?? NullLogger.Instance;
        _stopping = stopping;
    }

    /// <summary>The longest the answer to notifications waits for their work (well under Graph's 3 s).</summary>
    public TimeSpan ResponseBound { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Answers one webhook request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The request's own token (the client went away); the background work goes on.</param>
    public async Task<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (token, tokenProblem) = ValidationToken(request.Query);
        if (tokenProblem is not null)
        {
            return Problem(400, "bad request", tokenProblem);
        }

        if (token is not null)
        {
            return new WebhookResponse(200, "text/plain; charset=utf-8", token);
        }

        if (request.Body.Length > MaxBodyBytes)
        {
            return Problem(413, "body too large", $"a notification body holds at most {MaxBodyBytes} bytes");
        }

        if (request.ContentType is not { } type || !type.TrimStart().StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(415, "unsupported media type", "send a changeNotificationCollection as application/json, or a validationToken");
        }

        var (notifications, problem) = Parse(request.Body);
        if (notifications is null)
        {
            return Problem(400, "bad request", problem!);
        }

        var work = Dispatch(notifications);
        try
        {
            await work.WaitAsync(ResponseBound, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Graph must have its answer in time; the starts go on and log their failures.
        }

        return new WebhookResponse(202, "text/plain; charset=utf-8", "");
    }

    /// <summary>Waits for the background work of every request answered so far (tests, shutdown).</summary>
    public Task DrainAsync() => Task.WhenAll(_inFlight.Keys);

    /// <summary>
    /// The given clientState equals the stored one: a constant-time comparison of the UTF-8 bytes (its time depends
    /// on the lengths only), so response times tell an attacker nothing about the secret.
    /// </summary>
    internal static bool ClientStateMatches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    private Task Dispatch(IReadOnlyList<Notification> notifications)
    {
        var work = Task.Run(() => ProcessAsync(notifications), CancellationToken.None);
        _inFlight[work] = 0;
        _ = work.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return work;
    }

    private async Task ProcessAsync(IReadOnlyList<Notification> notifications)
    {
        try
        {
            var toRun = new List<string>();
            var seen = new Dictionary<string, SubscriptionRecord?>(StringComparer.Ordinal);
            var handled = new HashSet<(string, string)>();
            foreach (var notification in notifications)
            {
                if (!seen.TryGetValue(notification.SubscriptionId, out var record))
                {
                    record = await _records.GetSubscriptionAsync(notification.SubscriptionId, _stopping).ConfigureAwait(false);
                    seen[notification.SubscriptionId] = record;
                }

                if (record is null)
                {
                    WebhookLogs.Ignored(_log, Printable(notification.SubscriptionId), "unknown subscription");
                    continue;
                }

                if (!ClientStateMatches(notification.ClientState, record.ClientState))
                {
                    WebhookLogs.Ignored(_log, record.SubscriptionId, "clientState mismatch");
                    continue;
                }

                if (await HandleOneAsync(record, notification.LifecycleEvent, handled).ConfigureAwait(false) && !toRun.Contains(record.PairName, StringComparer.Ordinal))
                {
                    toRun.Add(record.PairName);
                }
            }

            await Task.WhenAll(toRun.Select(StartAsync)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The host is stopping; Graph's next notification (or the reconciliation) catches up.
        }
        catch (Exception e)
        {
            WebhookLogs.NotificationsFailed(_log, e.Message);
        }
    }

    /// <summary>Acts on one verified notification; true when its pair should run. Each lifecycle event acts once per subscription and request.</summary>
    private async Task<bool> HandleOneAsync(SubscriptionRecord record, string? lifecycleEvent, HashSet<(string, string)> handled)
    {
        if (lifecycleEvent is null)
        {
            return true;
        }

        if (!handled.Add((record.SubscriptionId, lifecycleEvent)))
        {
            return lifecycleEvent is "subscriptionRemoved" or "missed";
        }

        WebhookLogs.Lifecycle(_log, Printable(lifecycleEvent), record.SubscriptionId, record.PairName);
        try
        {
            switch (lifecycleEvent)
            {
                case "reauthorizationRequired":
                    await _subscriptions.RenewAsync(record, _stopping).ConfigureAwait(false);
                    return false;
                case "subscriptionRemoved":
                    await _subscriptions.RecreateAsync(record, _stopping).ConfigureAwait(false);
                    return true;
                case "missed":
                    return true;
                default:
                    return false;
            }
        }
        catch (Exception e) when (e is StorageException or HttpRequestException)
        {
            WebhookLogs.RenewalFailed(_log, record.SubscriptionId, record.PairName, e.Message);

            // Changes may have been missed while the subscription was in trouble: the run finds them by delta.
            return lifecycleEvent == "subscriptionRemoved";
        }
    }

    private async Task StartAsync(string pair)
    {
        try
        {
            var result = await _runs.StartAsync(pair, Trigger, markDirtyWhenBusy: true, _stopping).ConfigureAwait(false);
            if (result.Value is { } started)
            {
                WebhookLogs.Started(_log, pair, started.Id, started.Kind);
            }
            else
            {
                WebhookLogs.StartFailed(_log, pair, result.Problem ?? result.Outcome.ToString());
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            WebhookLogs.StartFailed(_log, pair, e.Message);
        }
    }

    private static WebhookResponse Problem(int status, string title, string detail) =>
        new(status, "application/problem+json", ProblemJson(status, title, detail));

    private static string Printable(string text) =>
        text.Length <= 128 && !text.Any(char.IsControl) ? text : new string(text.Take(128).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}

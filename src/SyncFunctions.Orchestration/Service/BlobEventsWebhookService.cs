using System.Text.Json;
using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Orchestration.Service;

/// <summary>A webhook request as any host hands it over.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Headers">The request headers (names compared case-insensitively).</param>
/// <param name="Body">The body, at most <see cref="BlobEventsWebhookService.MaxBodyBytes"/> (a host reads no more).</param>
public sealed record BlobEventsRequest(string Method, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body);

/// <summary>What a host answers: status, content type, body and extra headers.</summary>
public sealed record BlobEventsReply(int Status, string? ContentType, string? Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Event Grid blob events for blob-source pairs (<c>POST|OPTIONS /api/webhooks/blob-events</c>, the same class in every
/// host): the Event Grid subscription validation handshake, the CloudEvents 1.0 abuse-protection handshake, and
/// <c>Microsoft.Storage.BlobCreated</c> / <c>BlobDeleted</c> in both schemas, single or batched. Each blob is mapped to
/// every named pair whose source holds it; its path is staged as a changed path of the pair and the pair is started
/// (trigger <see cref="Trigger"/>; a pair with an active run is marked to run again), so the run checks those paths
/// only.
/// </summary>
/// <remarks>
/// <para>Authentication is the handshake, as the issue asks: anybody who can reach the URL can post events. A forged
/// event can only make a run check a path against the real source (stat it and compare with the baseline); it
/// cannot put content anywhere or delete anything the source still has.</para>
/// <para>Bad input (not JSON, not events, a blob event without a usable URL) gets 400 and nothing is written; an event
/// for no pair, of another type, or with a path the path rules refuse is ignored (200). Thread-safe.</para>
/// </remarks>
public sealed class BlobEventsWebhookService(
    IPairCatalog pairs,
    IChangedPathLedger changedPaths,
    Func<string, CancellationToken, Task<ServiceResult<RunStarted>>> startPair,
    IReadOnlyList<BlobAccountAlias> accounts,
    TimeProvider time,
    ILogger log)
{
    /// <summary>Largest body read (Event Grid delivers at most 1 MB per request).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The trigger of the runs this service starts.</summary>
    public const string Trigger = "blob-event";

    /// <summary>Longest blob path staged (Azure's limit on blob names).</summary>
    private const int MaxPathLength = 1024;

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>Answers one request; only storage failures escape (a host answers them as unavailable).</summary>
    public async Task<BlobEventsReply> HandleAsync(BlobEventsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase);
        if (string.Equals(request.Method, "OPTIONS", StringComparison.OrdinalIgnoreCase))
        {
            return Handshake(headers);
        }

        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(405, "method not allowed", "send events with POST, the CloudEvents handshake with OPTIONS") with { Headers = new Dictionary<string, string> { ["Allow"] = "POST, OPTIONS" } };
        }

        if (request.Body.Length > MaxBodyBytes)
        {
            return Problem(413, "body too large", $"a request body holds at most {MaxBodyBytes} bytes");
        }

        var parsed = BlobEventParser.Parse(request.Body, accounts);
        if (parsed.Problem is { } problem)
        {
            return Problem(400, "bad request", problem);
        }

        if (parsed.ValidationCode is { } code)
        {
            BlobEventLogs.Validated(log);
            return new BlobEventsReply(200, "application/json", JsonSerializer.Serialize(new Dictionary<string, string> { ["validationResponse"] = code }), NoHeaders);
        }

        var (staged, ignored, started) = await StageAndStartAsync(parsed.Blobs, cancellationToken).ConfigureAwait(false);
        BlobEventLogs.Received(log, parsed.Blobs.Count, staged, ignored, started.Count);
        var body = JsonSerializer.Serialize(new Accepted(parsed.Blobs.Count, staged, ignored, started), JsonOptions);
        return new BlobEventsReply(200, "application/json", body, NoHeaders);
    }

    /// <summary>CloudEvents 1.0 abuse protection: the sender's origin echoed, any rate allowed.</summary>
    private static BlobEventsReply Handshake(Dictionary<string, string> headers)
    {
        if (!headers.TryGetValue("WebHook-Request-Origin", out var origin) || origin.Length is 0 or > 255 || origin.Any(c => c <= ' ' || c > '~'))
        {
            return Problem(400, "bad request", "the CloudEvents handshake needs a WebHook-Request-Origin header (a host name)");
        }

        return new BlobEventsReply(200, null, null, new Dictionary<string, string> { ["WebHook-Allowed-Origin"] = origin, ["WebHook-Allowed-Rate"] = "*" });
    }

    private async Task<(int Staged, int Ignored, List<StartedRun> Started)> StageAndStartAsync(IReadOnlyList<string> blobs, CancellationToken cancellationToken)
    {
        var sources = new List<PairDefinition>();
        await foreach (var definition in pairs.ListDefinitionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (definition.Source.StartsWith("blob:", StringComparison.Ordinal))
            {
                sources.Add(definition);
            }
        }

        var byPair = new Dictionary<string, (string Name, SortedSet<string> Paths)>(StringComparer.Ordinal);
        var ignored = 0;
        foreach (var blob in blobs)
        {
            var matched = false;
            foreach (var pair in sources)
            {
                if (BlobEventUrls.Below(blob, pair.Source) is { } path && path.Length <= MaxPathLength && RelativePath.Validate(path) is null)
                {
                    matched = true;
                    if (!byPair.TryGetValue(pair.PairId, out var entry))
                    {
                        byPair[pair.PairId] = entry = (pair.Name, new SortedSet<string>(StringComparer.Ordinal));
                    }

                    entry.Paths.Add(path);
                }
            }

            ignored += matched ? 0 : 1;
        }

        var staged = 0;
        var started = new List<StartedRun>();
        var now = time.GetUtcNow();
        foreach (var (pairId, (name, paths)) in byPair)
        {
            await changedPaths.StageChangedPathsAsync(pairId, [.. paths], now, cancellationToken).ConfigureAwait(false);
            staged += paths.Count;
            var start = await startPair(name, cancellationToken).ConfigureAwait(false);
            if (start.Succeeded)
            {
                started.Add(new StartedRun(name, start.Value?.Id, start.Value?.Kind));
            }
            else
            {
                // Removed meanwhile, say: the staged paths wait for the pair's next run, if it comes back.
                BlobEventLogs.NotStarted(log, name, start.Problem ?? start.Outcome.ToString());
            }
        }

        return (staged, ignored, started);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static BlobEventsReply Problem(int status, string title, string detail) => new(
        status,
        "application/problem+json",
        JsonSerializer.Serialize(new Dictionary<string, object> { ["type"] = "about:blank", ["title"] = title, ["status"] = status, ["detail"] = detail }),
        NoHeaders);

    /// <summary>The body of a 200 for events: blob events read, paths staged, events for no pair, the runs started (or marked to run again).</summary>
    private sealed record Accepted(int Events, int Staged, int Ignored, IReadOnlyList<StartedRun> Runs);

    /// <summary>A pair's run: its id and started / resumed / marked-dirty.</summary>
    private sealed record StartedRun(string Pair, string? Id, string? Kind);
}

internal static partial class BlobEventLogs
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "blob events: subscription validation answered")]
    public static partial void Validated(ILogger logger);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "blob events: {Events} blob events, {Staged} paths staged, {Ignored} for no pair, {Pairs} pairs started or marked")]
    public static partial void Received(ILogger logger, int events, int staged, int ignored, int pairs);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "blob events: pair {Pair} not started: {Problem}")]
    public static partial void NotStarted(ILogger logger, string pair, string problem);
}

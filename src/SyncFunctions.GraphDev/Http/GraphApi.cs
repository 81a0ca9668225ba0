using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SyncFunctions.GraphDev.Model;
using SyncFunctions.GraphDev.Subscriptions;

namespace SyncFunctions.GraphDev.Http;

/// <summary>Where the server is reachable (known once Kestrel has bound its ports).</summary>
/// <param name="ApiBase">Graph base URL without trailing slash, e.g. http://127.0.0.1:5123/v1.0.</param>
/// <param name="ContentBase">Content host base without trailing slash, e.g. http://127.0.0.1:5124.</param>
internal sealed record ServerUrls(string ApiBase, string ContentBase);

/// <summary>
/// The request pipeline of the dev server: classify, log, inject faults, dispatch, and turn
/// <see cref="GraphDevException"/> into Graph's error body. One instance serves all requests
/// concurrently; state lives in the drive, the session stores and the subscription service.
/// </summary>
internal sealed partial class GraphApi
{
    private readonly GraphDevDrive _drive;
    private readonly GraphDevOptions _options;
    private readonly FaultInjector _faults;
    private readonly RequestLog _log;
    private readonly UrlSigner _signer = new();
    private readonly UploadSessionStore _uploads;
    private readonly CopyJobs _copies;
    private readonly SubscriptionService _subscriptions;
    private ServerUrls _urls = new("http://127.0.0.1/v1.0", "http://127.0.0.1");

    public GraphApi(GraphDevDrive drive, GraphDevOptions options, FaultInjector faults, RequestLog log, SubscriptionService subscriptions)
    {
        _drive = drive;
        _options = options;
        _faults = faults;
        _log = log;
        _subscriptions = subscriptions;
        _uploads = new UploadSessionStore(options.TimeProvider);
        _copies = new CopyJobs(drive, options.TimeProvider);
    }

    public ServerUrls Urls
    {
        get => Volatile.Read(ref _urls);
        set => Volatile.Write(ref _urls, value);
    }

    private TimeProvider Time => _options.TimeProvider;

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/_dev/", StringComparison.Ordinal))
        {
            await HandleDevAsync(context, path).ConfigureAwait(false);
            return;
        }

        var (info, target) = Classify(context, path);
        _log.Record(info);
        try
        {
            if (_faults.Take(info) is { } fault && !await ApplyFaultAsync(context, fault).ConfigureAwait(false))
            {
                return;
            }

            await DispatchAsync(context, info, target).ConfigureAwait(false);
        }
        catch (GraphDevException error) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, error).ConfigureAwait(false);
        }
        catch (JsonException) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, GraphDevException.Invalid("The request body is not valid JSON.")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception error) when (!context.Response.HasStarted && error is not OperationCanceledException)
        {
            // A server bug still answers in Graph's error shape, so the SDK reports ODataError, not a parse failure.
            await WriteErrorAsync(context, new GraphDevException(500, "generalException", error.Message)).ConfigureAwait(false);
        }
    }

    private (GraphRequestInfo Info, DrivePath? Target) Classify(HttpContext context, string path)
    {
        var method = context.Request.Method.ToUpperInvariant();
        var query = context.Request.QueryString.Value ?? "";
        if (!path.StartsWith("/v1.0/", StringComparison.Ordinal))
        {
            var contentRoute = path switch
            {
                _ when path.StartsWith("/_download/", StringComparison.Ordinal) => GraphRoute.Download,
                _ when path.StartsWith("/_upload/", StringComparison.Ordinal) => GraphRoute.UploadSession,
                _ when path.StartsWith("/_monitor/", StringComparison.Ordinal) => GraphRoute.CopyMonitor,
                _ => GraphRoute.Unknown,
            };
            return (new GraphRequestInfo(contentRoute, method, path, query, IsContentHost: true), null);
        }

        var rest = path["/v1.0/".Length..];
        if (rest == "subscriptions" || rest.StartsWith("subscriptions/", StringComparison.Ordinal))
        {
            return (new GraphRequestInfo(GraphRoute.Subscriptions, method, path, query, false), null);
        }

        var target = GraphPath.ParseDrive(rest);
        var route = target is null ? GraphRoute.Unknown : RouteOf(target, method);
        return (new GraphRequestInfo(route, method, path, query, false), target);
    }

    private static GraphRoute RouteOf(DrivePath target, string method) => (target.BaseItem, target.Action, method) switch
    {
        (null, _, "GET") => GraphRoute.Drive,
        (not null, "", "GET") => GraphRoute.GetItem,
        (not null, "", "PATCH") => GraphRoute.UpdateItem,
        (not null, "", "DELETE") => GraphRoute.DeleteItem,
        (_, "children", "GET") => GraphRoute.ListChildren,
        (_, "children", "POST") => GraphRoute.CreateFolder,
        (_, "delta", "GET") => GraphRoute.Delta,
        (_, "content", "GET") => GraphRoute.Content,
        (_, "content", "PUT") => GraphRoute.SimpleUpload,
        (_, "createUploadSession", "POST") => GraphRoute.CreateUploadSession,
        (_, "copy", "POST") => GraphRoute.Copy,
        _ => GraphRoute.Unknown,
    };

    private Task DispatchAsync(HttpContext context, GraphRequestInfo info, DrivePath? target) => info.Route switch
    {
        GraphRoute.Drive => GetDriveAsync(context, target!),
        GraphRoute.GetItem => GetItemAsync(context, target!),
        GraphRoute.UpdateItem => UpdateItemAsync(context, target!),
        GraphRoute.DeleteItem => DeleteItemAsync(context, target!),
        GraphRoute.ListChildren => ListChildrenAsync(context, target!),
        GraphRoute.CreateFolder => CreateFolderAsync(context, target!),
        GraphRoute.Delta => DeltaAsync(context, target!),
        GraphRoute.Content => ContentRedirectAsync(context, target!),
        GraphRoute.SimpleUpload => SimpleUploadAsync(context, target!),
        GraphRoute.CreateUploadSession => CreateUploadSessionAsync(context, target!),
        GraphRoute.Copy => CopyAsync(context, target!),
        GraphRoute.Download => DownloadAsync(context, info.Path),
        GraphRoute.UploadSession => UploadSessionAsync(context, info.Path),
        GraphRoute.CopyMonitor => MonitorAsync(context, info.Path),
        GraphRoute.Subscriptions => _subscriptions.HandleAsync(context, info.Path["/v1.0/subscriptions".Length..]),
        _ => throw new GraphDevException(400, "invalidRequest", $"Unsupported request: {info.Method} {info.Path}"),
    };

    /// <summary>Applies a fault; returns true when the request should still be served normally.</summary>
    private async Task<bool> ApplyFaultAsync(HttpContext context, FaultRule fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.Delay:
                await Task.Delay(fault.Delay, Time, context.RequestAborted).ConfigureAwait(false);
                return true;
            case FaultKind.DropConnection:
                context.Abort();
                return false;
            case FaultKind.Throttle:
                var throttled = new GraphDevException(429, "activityLimitReached", "The request has been throttled", "throttledRequest")
                {
                    Headers = RetryAfter(fault.RetryAfter),
                };
                await WriteErrorAsync(context, throttled).ConfigureAwait(false);
                return false;
            default:
                var unavailable = new GraphDevException(503, "serviceNotAvailable", "The service is temporarily unavailable.")
                {
                    Headers = fault.RetryAfter > TimeSpan.Zero ? RetryAfter(fault.RetryAfter) : null,
                };
                await WriteErrorAsync(context, unavailable).ConfigureAwait(false);
                return false;
        }
    }

    private static Dictionary<string, string> RetryAfter(TimeSpan value) =>
        new() { ["Retry-After"] = ((long)Math.Ceiling(value.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private Task WriteErrorAsync(HttpContext context, GraphDevException error)
    {
        foreach (var (name, value) in error.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        var clientRequestId = context.Request.Headers["client-request-id"].FirstOrDefault();
        var now = Time.GetUtcNow();
        return JsonShapes.WriteJsonAsync(context, error.StatusCode, w => JsonShapes.WriteError(w, error, clientRequestId, now));
    }

    /// <summary>Resolves the drive selector: the caller's drive, or this drive's id.</summary>
    private void RequireDrive(DrivePath target)
    {
        if (target.Drive is { } id && id != _drive.DriveId)
        {
            throw GraphDevException.NotFound($"drive {id}");
        }
    }

    private string BaseId(DrivePath target)
    {
        RequireDrive(target);
        return target.BaseItem == "root" ? _drive.RootId : target.BaseItem!;
    }

    /// <summary>The addressed item (by id, or by path below the base item).</summary>
    private ItemView Resolve(DrivePath target) => target.RelativePath is { Length: > 0 } path
        ? _drive.ViewByPath(BaseId(target), path)
        : _drive.ViewById(BaseId(target), withPath: true);

    private ItemRendering Rendering(HttpContext context, string? select = null) => new(
        _drive.DriveId,
        JsonShapes.ParseSelect(select ?? context.Request.Query["$select"].FirstOrDefault()),
        DownloadUrl,
        _options.IncludeShaHashes);

    private string DriveSegment => Uri.EscapeDataString(_drive.DriveId);

    private static ConflictBehavior ParseConflict(string? value, ConflictBehavior fallback) => value?.ToUpperInvariant() switch
    {
        null or "" => fallback,
        "FAIL" => ConflictBehavior.Fail,
        "REPLACE" => ConflictBehavior.Replace,
        "RENAME" => ConflictBehavior.Rename,
        _ => throw GraphDevException.Invalid($"Unknown conflict behavior '{value}'."),
    };

    private static string? Header(HttpContext context, string name) =>
        context.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.Length == 0 ? null : JsonDocument.Parse(buffer.ToArray());
    }
}

using Microsoft.AspNetCore.Http;

namespace SyncFunctions.GraphDev.Http;

/// <summary>
/// /_dev/: the server's own control surface for scripts that run it as a separate process (the
/// benchmark counts Graph requests here). Not part of Graph; not logged and never faulted.
/// </summary>
internal sealed partial class GraphApi
{
    private Task HandleDevAsync(HttpContext context, string path)
    {
        switch (context.Request.Method.ToUpperInvariant(), path.TrimEnd('/'))
        {
            case ("GET", "/_dev/requests"):
                var counts = _log.Snapshot();
                return JsonShapes.WriteJsonAsync(context, 200, w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("api", _log.ApiRequests);
                    w.WriteNumber("content", _log.ContentRequests);
                    w.WriteStartObject("byRoute");
                    foreach (var (key, value) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        w.WriteNumber(key, value);
                    }

                    w.WriteEndObject();
                    w.WriteEndObject();
                });
            case ("POST", "/_dev/requests/reset"):
                _log.Reset();
                context.Response.StatusCode = 204;
                return Task.CompletedTask;
            case ("GET", "/_dev/info"):
                return JsonShapes.WriteJsonAsync(context, 200, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("baseUrl", Urls.ApiBase);
                    w.WriteString("driveId", _drive.DriveId);
                    w.WriteNumber("items", _drive.ItemCount);
                    w.WriteNumber("sequence", _drive.CurrentSequence);
                    w.WriteEndObject();
                });
            default:
                context.Response.StatusCode = 404;
                return Task.CompletedTask;
        }
    }

    /// <summary>Ends every upload session (as if they expired).</summary>
    internal void ExpireUploadSessions() => _uploads.Clear();

    internal int UploadSessionCount => _uploads.Count;
}

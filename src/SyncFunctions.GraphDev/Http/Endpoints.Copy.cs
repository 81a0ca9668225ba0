using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace SyncFunctions.GraphDev.Http;

/// <summary>One asynchronous copy: pending until its due time, then completed (resourceId) or failed.</summary>
internal sealed class CopyJob(string id, string sourceId, string targetParentId, string? name, ConflictBehavior conflict, DateTimeOffset due)
{
    public string Id { get; } = id;

    public string SourceId { get; } = sourceId;

    public string TargetParentId { get; } = targetParentId;

    public string? Name { get; } = name;

    public ConflictBehavior Conflict { get; } = conflict;

    public DateTimeOffset Due { get; } = due;

    /// <summary>Set once, under the job's lock.</summary>
    public string? ResourceId { get; set; }

    public GraphDevException? Error { get; set; }

    public bool Done => ResourceId is not null || Error is not null;

    public ITimer? Timer { get; set; }
}

/// <summary>
/// Copies run "later": at their due time a timer (on the server's TimeProvider) performs them, and a
/// monitor GET after the due time completes them on the spot, so a test with a fake clock sees
/// inProgress, advances the clock and sees completed without racing the timer. Thread-safe.
/// </summary>
internal sealed class CopyJobs(GraphDevDrive drive, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, CopyJob> _jobs = new(StringComparer.Ordinal);

    public CopyJob Start(string sourceId, string targetParentId, string? name, ConflictBehavior conflict, TimeSpan latency)
    {
        var job = new CopyJob(UploadSessionStore.NewId(), sourceId, targetParentId, name, conflict, time.GetUtcNow() + latency);
        _jobs[job.Id] = job;
        if (latency <= TimeSpan.Zero)
        {
            Complete(job);
        }
        else
        {
            job.Timer = time.CreateTimer(_ => Complete(job), null, latency, Timeout.InfiniteTimeSpan);
        }

        return job;
    }

    public CopyJob? Find(string id)
    {
        if (!_jobs.TryGetValue(id, out var job))
        {
            return null;
        }

        if (!job.Done && time.GetUtcNow() >= job.Due)
        {
            Complete(job);
        }

        return job;
    }

    private void Complete(CopyJob job)
    {
        lock (job)
        {
            if (job.Done)
            {
                return;
            }

            try
            {
                job.ResourceId = drive.Copy(job.SourceId, job.TargetParentId, job.Name, job.Conflict).Id;
            }
            catch (GraphDevException error)
            {
                job.Error = error;
            }

            job.Timer?.Dispose();
        }
    }
}

/// <summary>POST …/copy (202 + Location) and the monitor URL.</summary>
internal sealed partial class GraphApi
{
    private async Task CopyAsync(HttpContext context, DrivePath target)
    {
        var source = Resolve(target).State;
        using var body = await ReadJsonAsync(context).ConfigureAwait(false);
        var root = body?.RootElement ?? default;
        var parentId = source.ParentId ?? _drive.RootId;
        if (root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("parentReference", out var parentRef))
        {
            if (StringProperty(parentRef, "driveId") is { } driveId && driveId != _drive.DriveId)
            {
                throw new GraphDevException(400, "notSupported", "Copying to another drive is not supported by the dev server.");
            }

            parentId = StringProperty(parentRef, "id") ?? (StringProperty(parentRef, "path") is { } path ? ParentIdFromPath(path) : parentId);
        }

        var name = StringProperty(root, "name");
        var conflict = ParseConflict(context.Request.Query["@microsoft.graph.conflictBehavior"].FirstOrDefault(), ConflictBehavior.Fail);

        // Validate what can be validated now (as the service does) so obvious errors are synchronous.
        var parent = _drive.ViewById(parentId, withPath: false).State;
        if (!parent.IsFolder)
        {
            throw GraphDevException.Invalid("The copy target is not a folder.");
        }

        if (name is not null)
        {
            GraphDevDrive.ValidateName(name);
        }

        if (conflict == ConflictBehavior.Fail && _drive.FindChildState(parentId, name ?? source.Name) is not null)
        {
            throw GraphDevException.NameExists(name ?? source.Name);
        }

        var job = _copies.Start(source.Id, parentId, name, conflict, _options.CopyLatency);
        context.Response.StatusCode = 202;
        context.Response.Headers.Location = $"{Urls.ContentBase}/_monitor/{job.Id}";
    }

    private Task MonitorAsync(HttpContext context, string path)
    {
        var job = _copies.Find(path["/_monitor/".Length..].Trim('/')) ?? throw GraphDevException.NotFound("copy operation");
        var status = job.Done ? 200 : 202;
        return JsonShapes.WriteJsonAsync(context, status, w =>
        {
            w.WriteStartObject();
            w.WriteString("operation", "ItemCopy");
            if (job.ResourceId is { } resourceId)
            {
                w.WriteNumber("percentageComplete", 100.0);
                w.WriteString("resourceId", resourceId);
                w.WriteString("status", "completed");
            }
            else if (job.Error is { } error)
            {
                w.WriteString("status", "failed");
                w.WriteStartObject("error");
                w.WriteString("code", error.Code);
                w.WriteString("message", error.Message);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNumber("percentageComplete", 0.0);
                w.WriteString("status", "inProgress");
            }

            w.WriteEndObject();
        });
    }
}

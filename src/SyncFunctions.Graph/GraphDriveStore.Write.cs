using Microsoft.Graph.Models;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>Simple upload (PUT …/content) with conflict behaviour and If-Match.</summary>
public sealed partial class GraphDriveStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Up to <see cref="MaxSimpleUploadSize"/>: one PUT to <c>items/{parent}:/{name}:/content</c> with
    /// <c>@microsoft.graph.conflictBehavior=fail</c> for <see cref="WriteOptions.IfNoneMatch"/> (409 → PreconditionFailed),
    /// else <c>replace</c> plus <c>If-Match</c> when <see cref="WriteOptions.IfMatch"/> is set (412 → PreconditionFailed).
    /// A larger seekable stream goes through an upload session instead (same conditions). Missing parent folders
    /// are created first. <see cref="WriteOptions.Sha256"/> is not stored (drives have no custom metadata).
    /// </remarks>
    public async Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        var drivePath = ToDrivePath(path);
        if (content.CanSeek && content.Length - content.Position > MaxSimpleUploadSize)
        {
            return await WriteThroughSessionAsync(path, content, options, cancellationToken).ConfigureAwait(false);
        }

        var start = content.CanSeek ? content.Position : -1;
        var (parentPath, name) = SplitDrivePath(drivePath);
        var what = $"upload '{path}'";
        for (var attempt = 0; ; attempt++)
        {
            var parentId = await EnsureFolderAsync(parentPath, cancellationToken).ConfigureAwait(false);
            try
            {
                var item = await PutContentAsync(parentId, name, content, options, what, cancellationToken).ConfigureAwait(false);
                return DriveItems.ToWriteResult(item);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound && attempt == 0 && start >= 0)
            {
                // The cached parent folder was deleted or moved by someone else: create it again and retry once.
                ForgetFolder(parentPath);
                content.Position = start;
            }
        }
    }

    private async Task<DriveItem> PutContentAsync(string parentId, string name, Stream content, WriteOptions options, string what, CancellationToken cancellationToken)
    {
        var driveId = await DriveIdAsync(cancellationToken).ConfigureAwait(false);
        var conflict = options.IfNoneMatch ? "fail" : "replace";
        var url = ChildUrl(driveId, parentId, name, "/content") + "?@microsoft.graph.conflictBehavior=" + conflict;
        var item = await CallAsync(
            what,
            () => Client.Drives[driveId].Items[parentId].Content.WithUrl(url).PutAsync(
                content,
                c => AddIfMatch(c.Headers, options.IfMatch),
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return item ?? throw new StorageException(StorageErrorKind.Transient, $"Graph {what}: no item in the response.");
    }

    /// <summary>A whole upload through a session, for <see cref="WriteAsync"/> with content over the simple-upload limit.</summary>
    private async Task<WriteResult> WriteThroughSessionAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        var total = content.Length - content.Position;
        var session = await CreateUploadSessionAsync(path, options, cancellationToken).ConfigureAwait(false);
        try
        {
            var buffer = new byte[_options.SessionFragmentSize];
            for (long offset = 0; offset < total;)
            {
                var count = await content.ReadAtLeastAsync(buffer, (int)Math.Min(buffer.Length, total - offset), throwOnEndOfStream: true, cancellationToken).ConfigureAwait(false);
                using var fragment = new MemoryStream(buffer, 0, count, writable: false);
                var result = await UploadFragmentAsync(session, offset, total, fragment, cancellationToken).ConfigureAwait(false);
                offset += count;
                if (result is not null)
                {
                    return result;
                }
            }

            throw new StorageException(StorageErrorKind.Transient, $"Graph upload '{path}': the session did not complete after the last fragment.");
        }
        catch
        {
            await CancelQuietlyAsync(session).ConfigureAwait(false);
            throw;
        }
    }

    private async Task CancelQuietlyAsync(Abstractions.UploadSession session)
    {
        try
        {
            await CancelUploadSessionAsync(session, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // Best effort: an abandoned session expires on its own.
        }
    }
}

using System.Buffers;
using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Transfer;

/// <summary>
/// Moves one file's content. Picks the cheapest way the two stores allow: server-side copy from a read URL,
/// staged chunks (resumed from the destination's uncommitted chunk list), a resumable partial file, or one request.
/// </summary>
internal sealed partial class Transfers(StepContext ctx)
{
    /// <summary>Saves a chunk checkpoint of the action (at most every few chunks).</summary>
    public delegate Task<ActionRecord> Checkpoint(ActionRecord action, CancellationToken cancellationToken);

    private const int CheckpointEvery = 8;

    /// <summary>Reads of a small object before it counts as changing too fast to copy.</summary>
    private const int ConsistentReadAttempts = 3;

    private bool Force => ctx.Options.Force;

    public async Task<ActionRecord> UploadAsync(ActionRecord a, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        if (a.VerifyHashFirst && a.KnownSha256 is not null)
        {
            var hash = a.SourceSha256 ?? await HashSourceAsync(a, cancellationToken).ConfigureAwait(false);
            if (string.Equals(hash, a.KnownSha256, StringComparison.OrdinalIgnoreCase))
            {
                // Same bytes: only the baseline moves (new mtime, or adopting an identical destination object).
                return Done(a, a.DestinationETag ?? a.ExpectedDestETag, hash, 0);
            }

            a = a with { SourceSha256 = hash };
        }

        try
        {
            return await TransferAsync(a, checkpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.PreconditionFailed)
        {
            return await AdoptOrConflictAsync(a, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ActionRecord> TransferAsync(ActionRecord a, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        if (ctx.Destination.GetCapability<IUploadSessionWriter>() is { } sessions && a.SourceSize > sessions.MaxSimpleUploadSize)
        {
            return await SessionUploadAsync(a, sessions, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        var copy = ServerSideCopy();
        if (a.SourceSize <= ctx.Options.ChunkSize)
        {
            if (copy is not null && a.SourceSize <= copy.Value.Copy.MaxSingleCopySize)
            {
                return await CopySmallAsync(a, copy.Value.Urls, copy.Value.Copy, cancellationToken).ConfigureAwait(false);
            }

            return await PutSmallAsync(a, cancellationToken).ConfigureAwait(false);
        }

        if (CommitStagedRanges && ctx.Destination.GetCapability<IChunkedWriter>() is { } ranged)
        {
            return await CommitRangesAsync(a, ranged, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        if (ctx.Destination.GetCapability<IChunkedWriter>() is { } chunked)
        {
            return await ChunkedAsync(a, chunked, copy, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        if (ctx.Destination.GetCapability<IResumableWriter>() is { } resumable)
        {
            return await DownloadAsync(a, resumable, cancellationToken).ConfigureAwait(false);
        }

        return await PutStreamedAsync(a, cancellationToken).ConfigureAwait(false);
    }

    private (IReadUrlProvider Urls, IServerSideCopy Copy)? ServerSideCopy() =>
        ctx.Source.GetCapability<IReadUrlProvider>() is { CanProvideReadUrls: true } urls && ctx.Destination.GetCapability<IServerSideCopy>() is { } copy
            ? (urls, copy)
            : null;

    private WriteOptions Conditions(ActionRecord a, string? sha256) => Force
        ? new WriteOptions(Sha256: sha256, SourceLastModified: a.SourceLastModified)
        : new WriteOptions(a.ExpectedDestETag, a.ExpectedDestETag is null, sha256, a.SourceLastModified);

    private static ActionRecord Done(ActionRecord a, string? destETag, string? sha256, long bytes) => a with
    {
        Status = ActionStatus.Done,
        ResultDestETag = destETag,
        SourceSha256 = sha256 ?? a.SourceSha256,
        BytesDone = bytes,
        LastError = null,
    };

    private async Task<ActionRecord> CopySmallAsync(ActionRecord a, IReadUrlProvider urls, IServerSideCopy copy, CancellationToken cancellationToken)
    {
        var url = await urls.GetReadUrlAsync(a.Path, TimeSpan.FromHours(1), cancellationToken).ConfigureAwait(false);
        var options = Conditions(a, a.SourceSha256);
        var result = await copy.CopyFromUrlAsync(a.Path, url, options, cancellationToken).ConfigureAwait(false);
        ctx.AddTransferred();
        return Done(a, result.ETag, a.SourceSha256, a.SourceSize);
    }

    private async Task<ActionRecord> PutSmallAsync(ActionRecord a, CancellationToken cancellationToken)
    {
        var size = checked((int)a.SourceSize);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, size));
        try
        {
            var (read, sha) = await ReadConsistentAsync(a, buffer, size, cancellationToken).ConfigureAwait(false);
            var options = Conditions(a, sha);
            using var body = new MemoryStream(buffer, 0, read, writable: false);
            var result = await ctx.Destination.WriteAsync(a.Path, body, options, cancellationToken).ConfigureAwait(false);
            ctx.AddTransferred();
            ctx.AddBytesTransferred(read);
            return Done(a, result.ETag, sha, read) with { SourceSize = read };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads a whole small object and hashes it. A size different from the listing, or bytes that do not match the
    /// source's own hashes, mean it changed (or was torn) while it was read: read it again, a few times. This is a
    /// check of content, not a retry of storage calls (those are the store decorator's).
    /// </summary>
    private async Task<(int Read, string Sha256)> ReadConsistentAsync(ActionRecord a, byte[] buffer, int expected, CancellationToken cancellationToken)
    {
        string? problem = null;
        for (var attempt = 0; attempt < ConsistentReadAttempts; attempt++)
        {
            var read = await ReadAllAsync(a, buffer, expected, cancellationToken).ConfigureAwait(false);
            if (read != expected)
            {
                problem = $"'{a.Path}' changed while it was read (size differs from the listing)";
                continue;
            }

            var sha = Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, read)));
            if (Integrity.Check(a, buffer.AsSpan(0, read), sha) is { } mismatch)
            {
                problem = $"'{a.Path}': {mismatch}";
                continue;
            }

            return (read, sha);
        }

        throw new StorageException(StorageErrorKind.Transient, problem ?? $"'{a.Path}' could not be read consistently");
    }

    /// <summary>Reads up to <paramref name="expected"/> bytes; returns -1 when the object holds more than that.</summary>
    private async Task<int> ReadAllAsync(ActionRecord a, byte[] buffer, int expected, CancellationToken cancellationToken)
    {
        var stream = await OpenSourceAsync(a, 0, null, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var total = 0;
            while (total < expected)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(total, expected - total), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total == expected && await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0 ? -1 : total;
        }
    }

    private async Task<ActionRecord> PutStreamedAsync(ActionRecord a, CancellationToken cancellationToken)
    {
        var sha = a.SourceSha256 ?? await HashSourceAsync(a, cancellationToken).ConfigureAwait(false);
        var options = Conditions(a, sha);
        var body = await OpenSourceAsync(a, 0, null, cancellationToken).ConfigureAwait(false);
        WriteResult result;
        await using (body.ConfigureAwait(false))
        {
            result = await ctx.Destination.WriteAsync(a.Path, body, options, cancellationToken).ConfigureAwait(false);
        }

        ctx.AddTransferred();
        ctx.AddBytesTransferred(a.SourceSize);
        return Done(a, result.ETag, sha, a.SourceSize);
    }

    /// <summary>SHA-256 of the source's content, read through once.</summary>
    public Task<string> HashSourceAsync(ActionRecord a, CancellationToken cancellationToken) =>
        HashSourceWithAsync(a, async (stream, ct) => Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false)), cancellationToken);

    private Task<string> QuickXorOfSourceAsync(ActionRecord a, CancellationToken cancellationToken) =>
        HashSourceWithAsync(a, SyncFunctions.Abstractions.Hashing.QuickXorHash.HashToBase64Async, cancellationToken);

    /// <summary>Reads the source's content through once into <paramref name="hash"/>.</summary>
    private async Task<string> HashSourceWithAsync(ActionRecord a, Func<Stream, CancellationToken, Task<string>> hash, CancellationToken cancellationToken)
    {
        var stream = await OpenSourceAsync(a, 0, null, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await hash(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A conditional write failed. When the destination already holds exactly our content (a write that
    /// succeeded just before a crash), adopt it; otherwise someone else changed it.
    /// </summary>
    private async Task<ActionRecord> AdoptOrConflictAsync(ActionRecord a, CancellationToken cancellationToken)
    {
        var info = await ctx.Destination.GetInfoAsync(a.Path, cancellationToken).ConfigureAwait(false);
        if (info?.Sha256 is { } destSha && info.Size == a.SourceSize)
        {
            // The source's hash is only known here when the store reports it; otherwise read it once (conflicts are rare).
            var srcSha = a.SourceSha256 ?? await HashSourceAsync(a, cancellationToken).ConfigureAwait(false);
            if (string.Equals(destSha, srcSha, StringComparison.OrdinalIgnoreCase))
            {
                return Done(a, info.Version, srcSha, 0);
            }
        }
        else if (info?.QuickXorHash is { } destQuick && info.Size == a.SourceSize)
        {
            // Drives without SHA-256 (OneDrive for Business) report only QuickXorHash.
            var srcQuick = a.SourceQuickXorHash ?? await QuickXorOfSourceAsync(a, cancellationToken).ConfigureAwait(false);
            if (string.Equals(destQuick, srcQuick, StringComparison.Ordinal))
            {
                return Done(a, info.Version, a.SourceSha256, 0);
            }
        }
        else if (info is not null && info.Size == a.SourceSize)
        {
            // A store that reports no hash (a local folder): an interrupted item's writes are not recorded yet, so the
            // retry finds its own files. Read the object once to tell ours from someone else's.
            var srcSha = a.SourceSha256 ?? await HashSourceAsync(a, cancellationToken).ConfigureAwait(false);
            var there = await ctx.Destination.OpenReadAsync(a.Path, 0, null, cancellationToken).ConfigureAwait(false);
            string readSha;
            await using (there.ConfigureAwait(false))
            {
                readSha = Convert.ToHexStringLower(await SHA256.HashDataAsync(there, cancellationToken).ConfigureAwait(false));
            }

            if (string.Equals(readSha, srcSha, StringComparison.OrdinalIgnoreCase))
            {
                return Done(a, info.Version, srcSha, 0);
            }
        }

        return a with
        {
            Status = ActionStatus.Failed,
            LastError = info is null
                ? "destination changed: the object was deleted at the destination since the last sync (a forced run writes anyway)"
                : "destination changed since the last sync (a forced run overwrites it)",
        };
    }
}

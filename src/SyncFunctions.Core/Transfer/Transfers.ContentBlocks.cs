using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Core.Transfer;

/// <summary>
/// Block-level delta: a large file to a destination that lists committed chunks is staged as content-defined
/// blocks (<see cref="ContentBlockLayout"/>); a block whose id the destination's committed or staged list holds is
/// not sent, and the new block list commits it by id.
/// </summary>
internal sealed partial class Transfers
{
    /// <summary>Bytes read between two checkpoints of a content-defined upload.</summary>
    private const long ContentCheckpointBytes = 64L << 20;

    /// <summary>
    /// The content-defined layout of <paramref name="a"/>'s file, or null when it is staged in fixed-size blocks: the
    /// setting is off, the destination cannot list committed chunks, the copy is server-side (no byte passes here to
    /// cut), the file is too large, or it fans out over several workers from a source that is not local (each range
    /// could cut only by reading the whole file at its commit, a second download).
    /// </summary>
    private ContentBlockLayout? ContentLayoutOf(ActionRecord a, bool ranged)
    {
        if (!ctx.Settings.ContentDefinedBlocks || ctx.Destination.GetCapability<ICommittedChunks>() is null
            || ctx.Destination.GetCapability<IChunkedWriter>() is not { } writer || ServerSideCopy() is not null
            || (ranged && ctx.Source.GetCapability<ILocalContent>() is null))
        {
            return null;
        }

        var fixedLayout = ChunkLayout.For(a.SourceVersion, a.SourceSize, ctx.Options.ChunkSize, writer.MaxChunkCount);
        var layout = ContentBlockLayout.For(a.SourceSize, fixedLayout.ChunkSize * ctx.Settings.ChunksPerRange, writer.MaxChunkCount);
        return layout is not null && layout.Chunker.Max <= writer.MaxChunkSize ? layout : null;
    }

    private async Task<HashSet<string>> CommittedChunksAsync(string path, CancellationToken cancellationToken) =>
        [.. await ctx.Destination.GetCapability<ICommittedChunks>()!.GetCommittedChunksAsync(path, cancellationToken).ConfigureAwait(false)];

    /// <summary>
    /// One worker reads the file once, in order: hashes it, cuts every segment, stages the blocks neither staged nor
    /// committed (a few at once), and commits the block list.
    /// </summary>
    private async Task<ActionRecord> ContentChunkedAsync(ActionRecord a, IChunkedWriter writer, ContentBlockLayout layout, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var committed = await CommittedChunksAsync(a.Path, cancellationToken).ConfigureAwait(false);
        var staged = (await writer.GetStagedChunksAsync(a.Path, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var sent = new HashSet<string>(StringComparer.Ordinal);

        var ids = new List<string>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var inFlight = new SemaphoreSlim(ChunksInFlightPerFile);
        var tasks = new List<Task>();
        var nextCheckpoint = ContentCheckpointBytes;
        await ctx.Resources.ContentCutters.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var cutter = new SemaphoreRelease(ctx.Resources.ContentCutters);
        var source = await OpenSourceAsync(a, 0, null, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            long read = 0;
            await foreach (var (_, chunk, id) in CutAsync(a, source, layout, hash, cancellationToken).ConfigureAwait(false))
            {
                ids.Add(id);
                read += chunk.Length;
                if (NeedsSending(id, chunk.Length, committed, staged, sent))
                {
                    await StartStagingAsync(a.Path, writer, chunk, id, ids.Count - 1, inFlight, tasks, cancellationToken).ConfigureAwait(false);
                }

                if (read >= nextCheckpoint && read < a.SourceSize)
                {
                    await Task.WhenAll(tasks).ConfigureAwait(false);
                    a = await checkpoint(a with { BytesDone = read, Checkpoint = $"blocks:{ids.Count}" }, cancellationToken).ConfigureAwait(false);
                    nextCheckpoint = read + ContentCheckpointBytes;
                }
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        var result = await writer.CommitChunksAsync(a.Path, ids, Conditions(a, sha), cancellationToken).ConfigureAwait(false);
        ctx.AddTransferred();
        return Done(a, result.ETag, sha, a.SourceSize);
    }

    /// <summary>
    /// False for a block the committed version has or this file repeats (counted unchanged) and for one staged
    /// before (counted reused: an interrupted upload resumes).
    /// </summary>
    private bool NeedsSending(string id, int length, HashSet<string> committed, IReadOnlyCollection<string> staged, HashSet<string> sent)
    {
        if (committed.Contains(id) || !sent.Add(id))
        {
            ctx.AddUnchanged(length);
            return false;
        }

        if (staged.Contains(id))
        {
            ctx.AddReused(1, length);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Copies <paramref name="chunk"/> (its bytes are the chunker's, valid only until the next one) into a pooled buffer
    /// once one of <paramref name="inFlight"/> and of the process's chunk buffers is free, and stages it in the
    /// background (added to <paramref name="tasks"/>); rethrows the failure of a staging that already failed.
    /// </summary>
    private async Task StartStagingAsync(string path, IChunkedWriter writer, ContentChunk chunk, string id, int index, SemaphoreSlim inFlight, List<Task> tasks, CancellationToken cancellationToken)
    {
        await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        await ctx.Resources.ChunkBuffers.WaitAsync(cancellationToken).ConfigureAwait(false);
        var buffer = LargeBuffers.Pool.Rent(chunk.Length);
        chunk.Data.CopyTo(buffer);
        var length = chunk.Length;
        tasks.Add(Task.Run(() => StageContentBlockAsync(path, writer, id, buffer, length, index, inFlight, cancellationToken), cancellationToken));
        tasks.RemoveAll(t => t.IsCompletedSuccessfully);
        if (tasks.FirstOrDefault(t => t.IsFaulted || t.IsCanceled) is { } failed)
        {
            await failed.ConfigureAwait(false);
        }
    }

    private async Task StageContentBlockAsync(string path, IChunkedWriter writer, string id, byte[] buffer, int length, int index, SemaphoreSlim inFlight, CancellationToken cancellationToken)
    {
        try
        {
            using (var body = new MemoryStream(buffer, 0, length, writable: false))
            {
                await writer.StageChunkAsync(path, id, body, cancellationToken).ConfigureAwait(false);
            }

            ctx.AddBytesTransferred(length);
            Logs.BlockStaged(ctx.Log, index + 1, id, length, path);
        }
        finally
        {
            LargeBuffers.Pool.Return(buffer);
            ctx.Resources.ChunkBuffers.Release();
            inFlight.Release();
        }
    }

    /// <summary>The bytes of range <paramref name="rangeIndex"/>'s content-defined blocks staged already (the range is read and cut to know them).</summary>
    private async Task<long> StagedBytesOfContentRangeAsync(ActionRecord a, ContentBlockLayout layout, int rangeIndex, IReadOnlyCollection<string> staged, CancellationToken cancellationToken)
    {
        long bytes = 0;
        await ForEachBlockOfSegmentAsync(a, layout, rangeIndex, (chunk, id) =>
        {
            bytes += staged.Contains(id) ? chunk.Length : 0;
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Cuts one range's segment and stages its blocks neither staged nor committed, a few at once.</summary>
    private async Task<long> StageContentRangeAsync(ActionRecord a, IChunkedWriter writer, ContentBlockLayout layout, int rangeIndex, IReadOnlyCollection<string> staged, CancellationToken cancellationToken)
    {
        var committed = await CommittedChunksAsync(a.Path, cancellationToken).ConfigureAwait(false);
        var sent = new HashSet<string>(StringComparer.Ordinal);
        using var inFlight = new SemaphoreSlim(ChunksInFlightPerFile);
        var tasks = new List<Task>();
        var count = 0;
        await ForEachBlockOfSegmentAsync(a, layout, rangeIndex, async (chunk, id) =>
        {
            count++;
            if (!NeedsSending(id, chunk.Length, committed, staged, sent))
            {
                return;
            }

            await StartStagingAsync(a.Path, writer, chunk, id, count - 1, inFlight, tasks, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return layout.Segment(rangeIndex).Length;
    }

    /// <summary>
    /// Commits a file its ranges staged as content-defined blocks: reads the (local) file once to hash it and cut
    /// every segment again (the block list), checks every block is staged or committed (else
    /// <see cref="ChunksMissingException"/> names the ranges to stage again), and commits.
    /// </summary>
    private async Task<ActionRecord> CommitContentRangesAsync(ActionRecord a, IChunkedWriter writer, ContentBlockLayout layout, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var present = await CommittedChunksAsync(a.Path, cancellationToken).ConfigureAwait(false);
        present.UnionWith(await writer.GetStagedChunksAsync(a.Path, cancellationToken).ConfigureAwait(false));
        var ids = new List<string>();
        var missing = new List<int>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await ctx.Resources.ContentCutters.WaitAsync(cancellationToken).ConfigureAwait(false);
        using (new SemaphoreRelease(ctx.Resources.ContentCutters))
        {
            var source = await OpenSourceAsync(a, 0, null, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                await foreach (var (segment, _, id) in CutAsync(a, source, layout, hash, cancellationToken).ConfigureAwait(false))
                {
                    ids.Add(id);
                    if (!present.Contains(id) && (missing.Count == 0 || missing[^1] != segment))
                    {
                        missing.Add(segment);
                    }
                }
            }
        }

        if (missing.Count > 0)
        {
            throw new ChunksMissingException(missing);
        }

        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (a.SourceSha256 is { } expected && !string.Equals(expected, sha, StringComparison.OrdinalIgnoreCase))
        {
            throw new StorageException(StorageErrorKind.Transient, $"'{a.Path}' changed while it was uploaded (SHA-256 {sha}, expected {expected})");
        }

        // Checkpointed like a fixed-layout commit's hash: the claim that follows a death sees the progress.
        a = await checkpoint(a with { Checkpoint = HashedPrefix + sha, BytesDone = a.SourceSize }, cancellationToken).ConfigureAwait(false);
        var result = await writer.CommitChunksAsync(a.Path, ids, Conditions(a, sha), cancellationToken).ConfigureAwait(false);
        ctx.AddTransferred();
        return Done(a, result.ETag, sha, a.SourceSize);
    }

    /// <summary>
    /// Reads <paramref name="source"/> (the whole file, from its start) once, hashing every byte into
    /// <paramref name="hash"/>, and yields each segment's blocks in order with their ids. A chunk's bytes are valid only
    /// until the next one is asked for.
    /// </summary>
    private static async IAsyncEnumerable<(int Segment, ContentChunk Chunk, string Id)> CutAsync(
        ActionRecord a, Stream source, ContentBlockLayout layout, IncrementalHash hash, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var s = 0; s < layout.Segments; s++)
        {
            await foreach (var chunk in CutSegmentAsync(a, new BoundedReadStream(source, layout.Segment(s).Length, leaveOpen: true), layout, cancellationToken).ConfigureAwait(false))
            {
                hash.AppendData(chunk.Data.Span);
                yield return (s, chunk, ContentBlockLayout.BlockId(chunk.Sha256));
            }
        }
    }

    /// <summary>Cuts <paramref name="segment"/> (one segment of the file, disposed at the end) and checks it was not cut short.</summary>
    private static async IAsyncEnumerable<ContentChunk> CutSegmentAsync(
        ActionRecord a, BoundedReadStream segment, ContentBlockLayout layout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using (segment.ConfigureAwait(false))
        {
            await foreach (var chunk in ContentChunker.ChunkAsync(segment, layout.Chunker, cancellationToken).ConfigureAwait(false))
            {
                yield return chunk;
            }

            ThrowIfShort(a, segment, segment.Length);
        }
    }

    /// <summary>Cuts one segment (holding one of the process's cutters) and calls <paramref name="action"/> on each block; a block's bytes are valid during its call only.</summary>
    private async Task ForEachBlockOfSegmentAsync(ActionRecord a, ContentBlockLayout layout, int index, Func<ContentChunk, string, Task> action, CancellationToken cancellationToken)
    {
        await ctx.Resources.ContentCutters.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var cutter = new SemaphoreRelease(ctx.Resources.ContentCutters);
        var (offset, length) = layout.Segment(index);
        var source = await OpenSourceAsync(a, offset, length, cancellationToken).ConfigureAwait(false);
        await foreach (var chunk in CutSegmentAsync(a, new BoundedReadStream(source, length), layout, cancellationToken).ConfigureAwait(false))
        {
            await action(chunk, ContentBlockLayout.BlockId(chunk.Sha256)).ConfigureAwait(false);
        }
    }

    private static void ThrowIfShort(ActionRecord a, Stream segment, long length)
    {
        if (segment.Position != length)
        {
            throw new StorageException(StorageErrorKind.Transient, $"'{a.Path}' got shorter while it was read");
        }
    }

    /// <summary>Releases a semaphore once when disposed.</summary>
    private sealed class SemaphoreRelease(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}

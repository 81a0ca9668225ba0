using System.Buffers;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Transfer;

internal sealed partial class Transfers
{
    /// <summary>The item's chunks were staged by its chunk-range items: the transfer is only the commit.</summary>
    public bool CommitStagedRanges { get; init; }

    /// <summary>The ids of the chunks of <paramref name="a"/>'s file staged at the destination (not committed yet).</summary>
    public Task<IReadOnlyCollection<string>> StagedChunksAsync(ActionRecord a, CancellationToken cancellationToken) =>
        ChunkedWriter().GetStagedChunksAsync(a.Path, cancellationToken);

    /// <summary>The bytes of range <paramref name="rangeIndex"/>'s chunks among <paramref name="staged"/>.</summary>
    public async Task<long> StagedBytesOfRangeAsync(ActionRecord a, int rangeIndex, IReadOnlyCollection<string> staged, CancellationToken cancellationToken)
    {
        if (ContentLayoutOf(a, ranged: true) is { } content)
        {
            return await StagedBytesOfContentRangeAsync(a, content, rangeIndex, staged, cancellationToken).ConfigureAwait(false);
        }

        var layout = ChunkLayout.For(a, ctx);
        var (first, count) = layout.RangeChunks(rangeIndex, ctx.Settings.ChunksPerRange);
        return Enumerable.Range(first, count).Where(i => staged.Contains(layout.Ids[i])).Sum(i => (long)layout.LengthOf(i));
    }

    /// <summary>
    /// Stages the chunks of one range of a large file that are not in <paramref name="staged"/>, one after the other
    /// (the file's other ranges run on other workers meanwhile). Reads only the range from the source, or copies it
    /// server-side.
    /// </summary>
    public async Task<long> StageRangeAsync(ActionRecord a, int rangeIndex, IReadOnlyCollection<string> staged, CancellationToken cancellationToken)
    {
        var writer = ChunkedWriter();
        if (ContentLayoutOf(a, ranged: true) is { } content)
        {
            return await StageContentRangeAsync(a, writer, content, rangeIndex, staged, cancellationToken).ConfigureAwait(false);
        }

        var layout = ChunkLayout.For(a, ctx);
        var (first, count) = layout.RangeChunks(rangeIndex, ctx.Settings.ChunksPerRange);
        var copy = ServerSideCopy();
        var url = copy is { } c ? await c.Urls.GetReadUrlAsync(a.Path, TimeSpan.FromHours(2), cancellationToken).ConfigureAwait(false) : null;
        long bytes = 0;
        for (var i = first; i < first + count; i++)
        {
            var (offset, length) = (layout.OffsetOf(i), layout.LengthOf(i));
            bytes += length;
            if (staged.Contains(layout.Ids[i]))
            {
                ctx.AddReused(1, length);
                continue;
            }

            if (copy is { } server)
            {
                await server.Copy.StageChunkFromUrlAsync(a.Path, layout.Ids[i], url!, offset, length, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await StageOneFromSourceAsync(a, writer, layout.Ids[i], offset, length, cancellationToken).ConfigureAwait(false);
            }

            Logs.ChunkStaged(ctx.Log, i + 1, layout.Count, a.Path);
        }

        return bytes;
    }

    private IChunkedWriter ChunkedWriter() =>
        ctx.Destination.GetCapability<IChunkedWriter>() ?? throw new InvalidOperationException($"{ctx.Destination.DisplayName} does not stage chunks");

    private async Task StageOneFromSourceAsync(ActionRecord a, IChunkedWriter writer, string id, long offset, int length, CancellationToken cancellationToken)
    {
        await ctx.Resources.ChunkBuffers.WaitAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var source = await OpenSourceAsync(a, offset, length, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                try
                {
                    await source.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                catch (EndOfStreamException ex)
                {
                    throw new StorageException(StorageErrorKind.Transient, $"'{a.Path}' got shorter while it was read", ex);
                }
            }

            using var body = new MemoryStream(buffer, 0, length, writable: false);
            await writer.StageChunkAsync(a.Path, id, body, cancellationToken).ConfigureAwait(false);
            ctx.AddBytesTransferred(length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ctx.Resources.ChunkBuffers.Release();
        }
    }

    /// <summary>
    /// Commits a file its ranges staged: checks every chunk is there (else <see cref="ChunksMissingException"/> names
    /// the ranges to stage again), takes the file's SHA-256 (the source's own, or one pass over a local file), and
    /// commits the block list with the write's condition.
    /// </summary>
    private const string HashedPrefix = "sha256:";

    private async Task<ActionRecord> CommitRangesAsync(ActionRecord a, IChunkedWriter writer, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        if (ContentLayoutOf(a, ranged: true) is { } content)
        {
            return await CommitContentRangesAsync(a, writer, content, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        var layout = ChunkLayout.For(a, ctx);
        var staged = await writer.GetStagedChunksAsync(a.Path, cancellationToken).ConfigureAwait(false);
        var missing = Enumerable.Range(0, layout.Count).Where(i => !staged.Contains(layout.Ids[i])).ToList();
        if (missing.Count > 0)
        {
            throw new ChunksMissingException(missing.Select(i => i / ctx.Settings.ChunksPerRange).Distinct().ToList());
        }

        var sha = a.SourceSha256 ?? (a.Checkpoint is { } c && c.StartsWith(HashedPrefix, StringComparison.Ordinal) ? c[HashedPrefix.Length..] : null);
        if (sha is null)
        {
            // Hashing a large file is the long part of its commit: checkpointed, so a worker killed after it resumes
            // without it, and the claim that follows sees the progress (the death is not one "without progress").
            sha = await HashSourceAsync(a, cancellationToken).ConfigureAwait(false);
            a = await checkpoint(a with { Checkpoint = HashedPrefix + sha, BytesDone = a.SourceSize }, cancellationToken).ConfigureAwait(false);
        }

        var result = await writer.CommitChunksAsync(a.Path, layout.Ids, Conditions(a, sha), cancellationToken).ConfigureAwait(false);
        ctx.AddTransferred();
        return Done(a, result.ETag, sha, a.SourceSize);
    }
}

/// <summary>A ranged file's commit found chunks not staged (expired, or never staged): these ranges must run again.</summary>
internal sealed class ChunksMissingException(IReadOnlyList<int> ranges) : Exception($"{ranges.Count} chunk ranges are not staged")
{
    public IReadOnlyList<int> Ranges { get; } = ranges;
}

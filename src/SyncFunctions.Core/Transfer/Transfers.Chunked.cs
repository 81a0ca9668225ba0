using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Transfer;

internal sealed partial class Transfers
{
    /// <summary>Chunks staged concurrently for one file.</summary>
    private const int ChunksInFlightPerFile = 4;

    private async Task<ActionRecord> ChunkedAsync(ActionRecord a, IChunkedWriter writer, (IReadUrlProvider Urls, IServerSideCopy Copy)? copy, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        if (ContentLayoutOf(a, ranged: false) is { } content)
        {
            return await ContentChunkedAsync(a, writer, content, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        var size = a.SourceSize;
        var layout = ChunkLayout.For(a.SourceVersion, size, ctx.Options.ChunkSize, writer.MaxChunkCount);
        var (chunk, count, ids) = (layout.ChunkSize, layout.Count, layout.Ids);
        var staged = await writer.GetStagedChunksAsync(a.Path, cancellationToken).ConfigureAwait(false);
        var reused = ids.Count(staged.Contains);
        if (reused > 0)
        {
            Logs.ChunksReused(ctx.Log, a.Path, reused, count);
        }

        using var progress = new ChunkProgress(a, checkpoint, count);
        string? sha;
        if (copy is { } c)
        {
            var url = await c.Urls.GetReadUrlAsync(a.Path, TimeSpan.FromHours(2), cancellationToken).ConfigureAwait(false);
            await StageFromUrlAsync(a, c.Copy, url, ids, staged, chunk, progress, cancellationToken).ConfigureAwait(false);
            sha = a.SourceSha256;
        }
        else
        {
            sha = await StageFromStreamAsync(a, writer, ids, staged, chunk, progress, cancellationToken).ConfigureAwait(false);
        }

        var options = Conditions(a, sha);
        var result = await writer.CommitChunksAsync(a.Path, ids, options, cancellationToken).ConfigureAwait(false);
        ctx.AddTransferred();
        return Done(progress.Action, result.ETag, sha, size);
    }

    private async Task StageFromUrlAsync(ActionRecord a, IServerSideCopy copy, Uri url, IReadOnlyList<string> ids, IReadOnlyCollection<string> staged, long chunk, ChunkProgress progress, CancellationToken cancellationToken)
    {
        using var inFlight = new SemaphoreSlim(ChunksInFlightPerFile);
        var tasks = new List<Task>();
        for (var i = 0; i < ids.Count; i++)
        {
            var offset = i * chunk;
            var length = Math.Min(chunk, a.SourceSize - offset);
            if (staged.Contains(ids[i]))
            {
                ctx.AddReused(1, length);
                await progress.ChunkDoneAsync(i, length, a.Path, ctx, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
            var index = i;
            tasks.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        await copy.StageChunkFromUrlAsync(a.Path, ids[index], url, offset, length, cancellationToken).ConfigureAwait(false);
                        await progress.ChunkDoneAsync(index, length, a.Path, ctx, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                },
                cancellationToken));
            tasks.RemoveAll(t => t.IsCompletedSuccessfully);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Reads the source once, in order, hashing every byte; stages the chunks not staged before.</summary>
    private async Task<string> StageFromStreamAsync(ActionRecord a, IChunkedWriter writer, IReadOnlyList<string> ids, IReadOnlyCollection<string> staged, long chunk, ChunkProgress progress, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var inFlight = new SemaphoreSlim(ChunksInFlightPerFile);
        var tasks = new List<Task>();
        var source = await OpenSourceAsync(a, 0, null, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            for (var i = 0; i < ids.Count; i++)
            {
                var length = (int)Math.Min(chunk, a.SourceSize - (i * chunk));
                await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                await ctx.Resources.ChunkBuffers.WaitAsync(cancellationToken).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(length);
                var started = false;
                try
                {
                    await source.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                    hash.AppendData(buffer, 0, length);
                    if (staged.Contains(ids[i]))
                    {
                        ctx.AddReused(1, length);
                        await progress.ChunkDoneAsync(i, length, a.Path, ctx, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    var index = i;
                    started = true;
                    tasks.Add(Task.Run(() => StageBufferAsync(a.Path, writer, ids[index], buffer, length, index, progress, inFlight, cancellationToken), cancellationToken));
                    tasks.RemoveAll(t => t.IsCompletedSuccessfully);
                    var failed = tasks.FirstOrDefault(t => t.IsFaulted || t.IsCanceled);
                    if (failed is not null)
                    {
                        await failed.ConfigureAwait(false);
                    }
                }
                catch (EndOfStreamException ex)
                {
                    throw new StorageException(StorageErrorKind.Transient, $"'{a.Path}' got shorter while it was read", ex);
                }
                finally
                {
                    if (!started)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        ctx.Resources.ChunkBuffers.Release();
                        inFlight.Release();
                    }
                }
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private async Task StageBufferAsync(string path, IChunkedWriter writer, string id, byte[] buffer, int length, int index, ChunkProgress progress, SemaphoreSlim inFlight, CancellationToken cancellationToken)
    {
        try
        {
            using (var body = new MemoryStream(buffer, 0, length, writable: false))
            {
                await writer.StageChunkAsync(path, id, body, cancellationToken).ConfigureAwait(false);
            }

            ctx.AddBytesTransferred(length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ctx.Resources.ChunkBuffers.Release();
            inFlight.Release();
        }

        await progress.ChunkDoneAsync(index, length, path, ctx, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ActionRecord> DownloadAsync(ActionRecord a, IResumableWriter writer, CancellationToken cancellationToken)
    {
        var version = a.SourceVersion ?? $"{a.SourceSize}:{a.SourceLastModified.UtcTicks}";
        var offset = await writer.GetPartialLengthAsync(a.Path, version, cancellationToken).ConfigureAwait(false);
        if (offset > 0)
        {
            Logs.DownloadResumed(ctx.Log, a.Path, offset);
            ctx.AddResumedBytes(offset);
        }

        if (offset < a.SourceSize)
        {
            // The source stream re-opens itself at the byte it stopped at when a read fails on the way.
            var body = await OpenSourceAsync(a, offset, null, cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var counting = new CountingStream(body);
                try
                {
                    await writer.AppendPartialAsync(a.Path, version, offset, counting, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ctx.AddBytesTransferred(counting.BytesRead);
                }
            }
        }

        var options = Conditions(a, a.SourceSha256);
        var result = await writer.CommitPartialAsync(a.Path, version, options, cancellationToken).ConfigureAwait(false);
        string sha;
        var written = await ctx.Destination.OpenReadAsync(a.Path, 0, null, cancellationToken).ConfigureAwait(false);
        await using (written.ConfigureAwait(false))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellationToken).ConfigureAwait(false));
        }

        ctx.AddTransferred();
        if (a.SourceSha256 is { } expected && !string.Equals(expected, sha, StringComparison.OrdinalIgnoreCase))
        {
            return a with { Status = ActionStatus.Failed, LastError = $"integrity check failed: SHA-256 {sha} differs from the source's {expected}" };
        }

        if (await Integrity.CheckQuickXorAsync(a, () => ctx.Destination.OpenReadAsync(a.Path, 0, null, cancellationToken), cancellationToken).ConfigureAwait(false) is { } mismatch)
        {
            return a with { Status = ActionStatus.Failed, LastError = mismatch };
        }

        return Done(a, result.ETag, sha, a.SourceSize);
    }

    /// <summary>Counts finished chunks and writes a checkpoint every few of them.</summary>
    private sealed class ChunkProgress(ActionRecord action, Checkpoint checkpoint, int count) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private int _done;
        private long _bytes;

        public ActionRecord Action { get; private set; } = action;

        public void Dispose() => _gate.Dispose();

        public async Task ChunkDoneAsync(int index, long length, string path, StepContext ctx, CancellationToken cancellationToken)
        {
            Logs.ChunkStaged(ctx.Log, index + 1, count, path);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                _done++;
                _bytes += length;
                if (_done % CheckpointEvery == 0 && _done < count)
                {
                    Action = await checkpoint(Action with { BytesDone = _bytes, Checkpoint = $"chunks:{_done}/{count}" }, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}

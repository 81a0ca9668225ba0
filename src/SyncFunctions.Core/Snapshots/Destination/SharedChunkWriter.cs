using System.Security.Cryptography;
using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Destination;

/// <summary>
/// One chunk writer shared by every concurrent write of a process into a repository, with group commit: a write
/// returns only once a flush that began after its last chunk was added has finished (its chunks are in a stored pack
/// named by a stored index), and one flush serves every write waiting for it, so concurrent small files share packs.
/// </summary>
/// <remarks>
/// Adds are serialised (a pack is one buffer); a large file flushes every <see cref="FlushEvery"/> bytes so that a
/// crash in the middle of it loses at most that much: the retry finds the earlier chunks indexed and does not send them
/// again. A write that fails leaves its chunks to the next flush (unreferenced, for GC). Thread-safe.
/// </remarks>
internal sealed class SharedChunkWriter(RepositoryContent content, int packTargetLength = PackFormat.DefaultTargetLength) : IDisposable
{
    /// <summary>Bytes of one file after which its chunks so far are flushed before it goes on.</summary>
    public const long FlushEvery = 64L * 1024 * 1024;

    private readonly ChunkWriter _writer = content.NewWriter(packTargetLength);
    private readonly SemaphoreSlim _add = new(1, 1);
    private readonly SemaphoreSlim _flush = new(1, 1);

    // Each file being cut holds a buffer of twice the largest chunk (16 MiB by default), and adds are serialised
    // anyway: more files cut at once than cores only costs memory. A file waiting for its flush holds none.
    private readonly SemaphoreSlim _cutting = new(Math.Max(2, Environment.ProcessorCount), Math.Max(2, Environment.ProcessorCount));
    private long _flushes;

    /// <summary>Chunk bytes this writer sent (new chunks only).</summary>
    public long BytesStored => Interlocked.Read(ref _bytesStored);

    private long _bytesStored;

    public void Dispose()
    {
        _add.Dispose();
        _flush.Dispose();
        _cutting.Dispose();
    }

    /// <summary>Cuts <paramref name="stream"/> into chunks, stores the new ones durably and returns the file's content.</summary>
    public async Task<FileContent> WriteAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunks = new List<ChunkRef>();
        long size = 0, sinceFlush = 0, needed = 0;
        var pending = false;
        await _cutting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var chunk in ContentChunker.ChunkAsync(stream, content.Chunker, cancellationToken).ConfigureAwait(false))
            {
                hash.AppendData(chunk.Data.Span);
                var id = ObjectId.FromBytes(chunk.Sha256);
                await _add.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var before = _writer.BytesStored;
                    await _writer.AddAsync(chunk, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _bytesStored, _writer.BytesStored - before);

                    // A chunk indexed already needs no flush; one added now, or pending in another write's pack, does.
                    if (!content.Contains(id))
                    {
                        needed = _flushes + 1;
                        pending = true;
                    }
                }
                finally
                {
                    _add.Release();
                }

                chunks.Add(new ChunkRef(id, chunk.Length));
                size += chunk.Length;
                sinceFlush += chunk.Length;
                if (pending && sinceFlush >= FlushEvery)
                {
                    await FlushThroughAsync(needed, cancellationToken).ConfigureAwait(false);
                    (sinceFlush, pending) = (0, false);
                }
            }
        }
        finally
        {
            _cutting.Release();
        }

        if (pending)
        {
            await FlushThroughAsync(needed, cancellationToken).ConfigureAwait(false);
        }

        return new FileContent(ObjectId.FromBytes(hash.GetHashAndReset()), size, chunks);
    }

    /// <summary>Returns once flush number <paramref name="needed"/> has finished, running it when no one else has.</summary>
    private async Task FlushThroughAsync(long needed, CancellationToken cancellationToken)
    {
        await _flush.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _flushes) >= needed)
            {
                return; // a flush that began after this write's chunks were added has ended
            }

            await _add.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _flushes);
            }
            finally
            {
                _add.Release();
            }
        }
        finally
        {
            _flush.Release();
        }
    }
}

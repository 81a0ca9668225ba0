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
/// Adds are serialised (a pack is one buffer) but hold the lock only to copy a chunk in: chunks are compressed before,
/// and a full pack is sealed and uploaded after, in the background of the write that filled it (which waits for its
/// previous pack before it starts another, so at most two packs per file being cut are in memory). A large file
/// flushes every <see cref="FlushEvery"/> bytes so that a crash in the middle of it loses at most that much: the retry
/// finds the earlier chunks indexed and does not send them again. A write that fails leaves its chunks to the next
/// flush (unreferenced, for GC). Thread-safe.
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
    private readonly List<Task> _uploads = [];
    private long _flushes;
    private long _flushesStarted;

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
        Task? uploading = null;
        await _cutting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var chunk in ContentChunker.ChunkAsync(stream, content.Chunker, cancellationToken).ConfigureAwait(false))
            {
                hash.AppendData(chunk.Data.Span);
                var id = ObjectId.FromBytes(chunk.Sha256);

                // Compressed outside the lock (the chunker hashed it); a chunk the repository has needs nothing.
                if (!content.Contains(id))
                {
                    var prepared = PackWriter.Prepare(id, chunk.Data);
                    Task? upload;
                    await _add.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        if (_writer.AddPrepared(prepared))
                        {
                            Interlocked.Add(ref _bytesStored, chunk.Length);
                        }

                        // A chunk indexed meanwhile needs no flush; one added now, or pending in another write's pack, does.
                        if (!content.Contains(id))
                        {
                            needed = _flushesStarted + 1;
                            pending = true;
                        }

                        upload = StartUploads(sealCurrent: false, cancellationToken);
                    }
                    finally
                    {
                        _add.Release();
                    }

                    // The pack this write filled uploads while it cuts on; the one it filled before must be stored
                    // first, which bounds the packs in memory (two per file being cut).
                    if (upload is not null)
                    {
                        if (uploading is not null)
                        {
                            await uploading.ConfigureAwait(false);
                        }

                        uploading = upload;
                    }
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

        if (uploading is not null)
        {
            await uploading.ConfigureAwait(false);
        }

        if (pending)
        {
            await FlushThroughAsync(needed, cancellationToken).ConfigureAwait(false);
        }

        return new FileContent(ObjectId.FromBytes(hash.GetHashAndReset()), size, chunks);
    }

    /// <summary>
    /// Under <see cref="_add"/>: takes the packs that filled up (and the one being filled, when
    /// <paramref name="sealCurrent"/>) and starts sealing and uploading them outside the lock; null when there are none.
    /// </summary>
    private Task? StartUploads(bool sealCurrent, CancellationToken cancellationToken)
    {
        _uploads.RemoveAll(t => t.IsCompleted);
        var full = _writer.TakeFull(sealCurrent);
        if (full.Count == 0)
        {
            return null;
        }

        var upload = Task.Run(() => UploadAsync(full, cancellationToken), CancellationToken.None);
        _uploads.Add(upload);
        return upload;
    }

    /// <summary>Seals and uploads packs; each is recorded as stored (for the next index) or given back for the next flush to send.</summary>
    private async Task UploadAsync(List<PackWriter> full, CancellationToken cancellationToken)
    {
        var packs = full.Select(p => p.Finish()).ToList();
        for (var i = 0; i < packs.Count; i++)
        {
            try
            {
                await content.WriteObjectAsync(RepositoryLayout.PackPath(packs[i].Id), packs[i].Content, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await LockedAsync(() => packs.Skip(i).ToList().ForEach(_writer.UploadFailed)).ConfigureAwait(false);
                throw;
            }

            var pack = packs[i];
            await LockedAsync(() => _writer.Uploaded(pack)).ConfigureAwait(false);
        }
    }

    private async Task LockedAsync(Action action)
    {
        // Bookkeeping is never cancelled: a pack is always either recorded or given back.
        await _add.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            action();
        }
        finally
        {
            _add.Release();
        }
    }

    /// <summary>
    /// Returns once flush number <paramref name="needed"/> has finished, running it when no one else has: it seals the
    /// pack being filled, waits for every upload started before it (a failed one's packs are sent again by the index
    /// flush), and writes one index of the packs stored.
    /// </summary>
    private async Task FlushThroughAsync(long needed, CancellationToken cancellationToken)
    {
        await _flush.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _flushes) >= needed)
            {
                return; // a flush that began after this write's chunks were added has ended
            }

            long number;
            Task[] uploads;
            await _add.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                number = ++_flushesStarted;
                _ = StartUploads(sealCurrent: true, cancellationToken);
                uploads = [.. _uploads];
            }
            finally
            {
                _add.Release();
            }

            foreach (var upload in uploads)
            {
                try
                {
                    await upload.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Its packs were given back to the writer: the index flush below sends them again.
                }
            }

            await _add.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _writer.FlushIndexAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _flushes, number);
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

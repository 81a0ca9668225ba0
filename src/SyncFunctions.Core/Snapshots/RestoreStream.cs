using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// A file of a snapshot as a stream: its chunks read from the repository in order, several ahead of the reader (up to
/// <see cref="ReadAheadBytes"/>, so a large file is not one round trip per chunk), the whole checked against the
/// file's content hash before the end is reported, so a store never commits content that does not match.
/// </summary>
/// <remarks>Not thread-safe (like any stream). Holds the chunk being read and the chunks read ahead in memory.</remarks>
internal sealed class RestoreStream(RepositoryContent content, SnapshotFileEntry file) : ReadOnlyForwardStream
{
    /// <summary>How many bytes of chunks are read ahead at most (one chunk at least). Why 8 MiB: 8 average chunks in flight hide a round trip each (a ranged GET of Azure Storage takes tens of milliseconds), and 8 files restored at once hold at most 64 MiB.</summary>
    public const long ReadAheadBytes = 8 * 1024 * 1024;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Queue<(Task<byte[]> Read, int Length)> _ahead = new();
    private readonly CancellationTokenSource _stop = new();
    private long _aheadBytes;
    private int _nextToStart;
    private byte[] _chunk = [];
    private int _inChunk;
    private long _position;

    public override long Length => file.Entry.Size;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_inChunk == _chunk.Length)
        {
            StartReads();
            if (!_ahead.TryDequeue(out var next))
            {
                CheckHash();
                return 0;
            }

            _aheadBytes -= next.Length;
            _chunk = await next.Read.WaitAsync(cancellationToken).ConfigureAwait(false);
            _inChunk = 0;
            _hash.AppendData(_chunk);
            StartReads();
        }

        var count = Math.Min(buffer.Length, _chunk.Length - _inChunk);
        _chunk.AsMemory(_inChunk, count).CopyTo(buffer);
        _inChunk += count;
        _position += count;
        return count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Reads still in flight are stopped; their failures (cancellation included) are observed here.
            _stop.Cancel();
            while (_ahead.TryDequeue(out var pending))
            {
                _ = pending.Read.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            _stop.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Starts the reads of the next chunks while fewer than <see cref="ReadAheadBytes"/> are in flight (always one when none is).</summary>
    private void StartReads()
    {
        var chunks = file.Entry.Chunks;
        while (_nextToStart < chunks.Count && (_ahead.Count == 0 || _aheadBytes + chunks[_nextToStart].Length <= ReadAheadBytes))
        {
            var chunk = chunks[_nextToStart++];
            _ahead.Enqueue((content.ReadChunkAsync(chunk.Id, _stop.Token), chunk.Length));
            _aheadBytes += chunk.Length;
        }
    }

    private void CheckHash()
    {
        var actual = ObjectId.FromBytes(_hash.GetCurrentHash());
        if (actual != file.Entry.ContentHash)
        {
            throw new RepositoryFormatException($"file '{file.Path}'", FormatDamage.HashMismatch,
                $"its chunks put together hash to {actual}, not the content hash {file.Entry.ContentHash} its tree records");
        }
    }
}

using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// A file of a snapshot as a stream: its chunks read one at a time from the repository, the whole checked against
/// the file's content hash before the end is reported, so a store never commits content that does not match.
/// </summary>
/// <remarks>Not thread-safe (like any stream). Holds one chunk in memory.</remarks>
internal sealed class RestoreStream(RepositoryContent content, SnapshotFileEntry file) : ReadOnlyForwardStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _chunk = [];
    private int _inChunk;
    private int _nextChunk;
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
            if (_nextChunk == file.Entry.Chunks.Count)
            {
                CheckHash();
                return 0;
            }

            var chunk = file.Entry.Chunks[_nextChunk++];
            _chunk = await content.ReadChunkAsync(chunk.Id, cancellationToken).ConfigureAwait(false);
            _inChunk = 0;
            _hash.AppendData(_chunk);
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
            _hash.Dispose();
        }

        base.Dispose(disposing);
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

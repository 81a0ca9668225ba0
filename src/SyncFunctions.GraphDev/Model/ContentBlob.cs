using SyncFunctions.Abstractions.Hashing;
using System.Buffers;
using System.Security.Cryptography;

namespace SyncFunctions.GraphDev.Model;

/// <summary>The hashes Graph reports in <c>file.hashes</c> (SHA values as upper-case hex, like Graph).</summary>
internal sealed record ContentHashes(string QuickXorHash, string Sha1Hash, string Sha256Hash)
{
    private const int SmallContent = 1024 * 1024;

    /// <summary>
    /// Hashes a blob. Small contents (most of a seeded drive) are hashed one-shot from a pooled buffer:
    /// a fresh 80 KiB buffer and three incremental hashers per 1 KiB file would dominate a 100k-item
    /// first enumeration.
    /// </summary>
    public static ContentHashes Compute(ContentBlob blob)
    {
        using var stream = blob.OpenRead();
        if (blob.Length <= SmallContent)
        {
            var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, blob.Length));
            try
            {
                var length = 0;
                int read;
                while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0 && length < blob.Length)
                {
                    length += read;
                }

                var data = buffer.AsSpan(0, length);
#pragma warning disable CA5350 // Graph reports sha1Hash; it is an integrity value here, not a security control.
                return new ContentHashes(SyncFunctions.Abstractions.Hashing.QuickXorHash.HashToBase64(data), Convert.ToHexString(SHA1.HashData(data)), Convert.ToHexString(SHA256.HashData(data)));
#pragma warning restore CA5350
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return ComputeStreaming(stream);
    }

    private static ContentHashes ComputeStreaming(Stream content)
    {
        using var quickXor = new SyncFunctions.Abstractions.Hashing.QuickXorHash();
#pragma warning disable CA5350 // Graph reports sha1Hash; it is an integrity value here, not a security control.
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
#pragma warning restore CA5350
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = content.Read(buffer, 0, 81920)) > 0)
            {
                var chunk = buffer.AsSpan(0, read);
                quickXor.Append(chunk);
                sha1.AppendData(chunk);
                sha256.AppendData(chunk);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new ContentHashes(
            Convert.ToBase64String(quickXor.GetDigest()),
            Convert.ToHexString(sha1.GetHashAndReset()),
            Convert.ToHexString(sha256.GetHashAndReset()));
    }
}

/// <summary>
/// Immutable file content. Items share blobs freely (a copy shares its source's blob), so a blob is
/// never changed after creation; a content change makes a new blob. Hashes are computed on first use
/// (thread-safe), which keeps seeding a 100k-item drive fast.
/// </summary>
internal abstract class ContentBlob
{
    private readonly Lazy<ContentHashes> _hashes;

    protected ContentBlob(ContentHashes? knownHashes)
    {
        _hashes = knownHashes is null
            ? new Lazy<ContentHashes>(ComputeHashes, LazyThreadSafetyMode.ExecutionAndPublication)
            : new Lazy<ContentHashes>(knownHashes);
    }

    public abstract long Length { get; }

    public ContentHashes Hashes => _hashes.Value;

    /// <summary>True once the hashes are known (persisted blobs record them so a restart does not rehash).</summary>
    public bool HashesKnown => _hashes.IsValueCreated;

    /// <summary>A new read-only, seekable stream over the content.</summary>
    public abstract Stream OpenRead();

    private ContentHashes ComputeHashes() => ContentHashes.Compute(this);
}

/// <summary>Content held in memory (uploads when the server has no data folder).</summary>
internal sealed class MemoryBlob(byte[] data, int length, ContentHashes? hashes = null) : ContentBlob(hashes)
{
    public override long Length => length;

    public override Stream OpenRead() => new MemoryStream(data, 0, length, writable: false);
}

/// <summary>Content in a file under the data folder; deleted when no item references it any more.</summary>
internal sealed class FileBlob(string path, long length, ContentHashes? hashes = null) : ContentBlob(hashes)
{
    /// <summary>Items referencing this blob; guarded by the drive's lock.</summary>
    public int References { get; set; }

    public string Path { get; } = path;

    public override long Length => length;

    public override Stream OpenRead() =>
        new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920);
}

/// <summary>
/// Deterministic pseudo-random content of a seeded file: bytes are a pure function of (key, offset),
/// so 100,000 seeded files cost no memory until someone reads or hashes them, and a range read can
/// start anywhere.
/// </summary>
internal sealed class GeneratedBlob(ulong key, long length) : ContentBlob(null)
{
    public ulong Key { get; } = key;

    public override long Length => length;

    public override Stream OpenRead() => new GeneratedStream(Key, length);

    /// <summary>SplitMix64 finaliser: a bijection on 64-bit values, so distinct inputs stay distinct.</summary>
    public static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }
}

/// <summary>Seekable read-only stream over a <see cref="GeneratedBlob"/>'s bytes.</summary>
internal sealed class GeneratedStream(ulong key, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        var i = 0;
        while (i < n)
        {
            // One 64-bit word per 8 bytes; a read may start and end mid-word.
            var at = _position + i;
            var word = GeneratedBlob.Mix(key ^ (ulong)(at >> 3));
            for (var b = (int)(at & 7); b < 8 && i < n; b++, i++)
            {
                buffer[i] = (byte)(word >> (b * 8));
            }
        }

        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

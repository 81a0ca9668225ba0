using System.Security.Cryptography;

namespace SyncFunctions.Core.Chunking;

/// <summary>One chunk of an input cut by <see cref="ContentChunker.ChunkAsync"/>: where it lies, its bytes and their SHA-256.</summary>
public sealed class ContentChunk
{
    /// <summary>Creates a chunk.</summary>
    /// <param name="offset">Where the chunk starts in the input.</param>
    /// <param name="data">The chunk's bytes (not copied).</param>
    /// <param name="sha256">The SHA-256 of <paramref name="data"/> (not checked, not copied).</param>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 32 bytes long.</exception>
    public ContentChunk(long offset, ReadOnlyMemory<byte> data, byte[] sha256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentNullException.ThrowIfNull(sha256);
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A SHA-256 is {SHA256.HashSizeInBytes} bytes long, not {sha256.Length}.", nameof(sha256));
        }

        Offset = offset;
        Data = data;
        Sha256 = sha256;
    }

    /// <summary>Where the chunk starts in the input, in bytes.</summary>
    public long Offset { get; }

    /// <summary>The chunk's length in bytes.</summary>
    public int Length => Data.Length;

    /// <summary>The SHA-256 of the chunk's bytes (32 bytes): its identity in a repository (see <see cref="Snapshots.Format.ObjectId"/>).</summary>
    public byte[] Sha256 { get; }

    /// <summary>
    /// The chunk's bytes. From <see cref="ContentChunker.ChunkAsync"/> they lie in the reader's buffer and stay valid
    /// only until the enumerator moves on or is disposed; copy them to keep them.
    /// </summary>
    public ReadOnlyMemory<byte> Data { get; }
}

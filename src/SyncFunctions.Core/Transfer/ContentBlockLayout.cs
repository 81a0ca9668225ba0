using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Core.Transfer;

/// <summary>
/// How a large file is cut into content-defined blocks for a chunked destination: the file is split into segments
/// of a fixed span (the span of one chunk range, so each range of a fanned-out file cuts its own segment), and each
/// segment is cut by the content chunker on its own. A block's id is derived from its SHA-256, so an unchanged block
/// of a new version has the id of the committed one and is committed by id, not sent again.
/// </summary>
/// <remarks>
/// A cut forced at a segment's end keeps the segments independent (several workers cut one file), at the cost of
/// an insertion shifting every later segment's first and last block; an edit in place changes only the blocks it
/// touches. The chunk budget leaves one block per segment for those cuts, so no file exceeds the destination's limit.
/// </remarks>
internal sealed record ContentBlockLayout(long Size, long SegmentSize, int Segments, ChunkerOptions Chunker)
{
    /// <summary>First byte of every content-defined block id: fixed-layout ids are ASCII, so the two never meet.</summary>
    private const byte Tag = 0xCD;

    /// <summary>Bytes of a block id before base64: the same as a fixed-layout id's, as the service requires of one blob.</summary>
    public const int IdBytes = 23;

    /// <summary>The layout of a file of <paramref name="size"/> bytes, or null when content-defined blocks cannot cut it within <paramref name="maxChunks"/>.</summary>
    /// <param name="size">The file's length.</param>
    /// <param name="segmentSize">Span of one segment (a chunk range's bytes).</param>
    /// <param name="maxChunks">Most blocks the destination commits for one object.</param>
    public static ContentBlockLayout? For(long size, long segmentSize, int maxChunks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentSize);
        var segments = (int)Math.Max(1, (size + segmentSize - 1) / segmentSize);
        var budget = maxChunks - segments;
        if (budget <= 0)
        {
            return null;
        }

        try
        {
            return new ContentBlockLayout(size, segmentSize, segments, ChunkerOptions.ForFileSize(size, budget));
        }
        catch (ArgumentOutOfRangeException)
        {
            // Too large for content-defined chunks of at most 64 MiB: fixed-size blocks instead.
            return null;
        }
    }

    /// <summary>Where segment <paramref name="index"/> starts and how long it is.</summary>
    public (long Offset, long Length) Segment(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Segments);
        var offset = index * SegmentSize;
        return (offset, Math.Min(SegmentSize, Size - offset));
    }

    /// <summary>The block id of a chunk with this SHA-256: a tag byte and the first 22 bytes of the hash, base64.</summary>
    public static string BlockId(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length < IdBytes - 1)
        {
            throw new ArgumentException("not a SHA-256", nameof(sha256));
        }

        Span<byte> id = stackalloc byte[IdBytes];
        id[0] = Tag;
        sha256[..(IdBytes - 1)].CopyTo(id[1..]);
        return Convert.ToBase64String(id);
    }

    /// <summary>True for ids <see cref="BlockId"/> makes.</summary>
    public static bool IsContentBlockId(string id)
    {
        Span<byte> bytes = stackalloc byte[IdBytes + 3];
        return Convert.TryFromBase64String(id, bytes, out var n) && n == IdBytes && bytes[0] == Tag;
    }
}

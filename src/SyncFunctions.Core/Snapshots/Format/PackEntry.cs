namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>Where one chunk is in a pack, as the pack's footer and the pack indexes record it.</summary>
/// <param name="ChunkId">The SHA-256 of the raw chunk.</param>
/// <param name="Offset">The offset of its stored bytes from the pack's first byte.</param>
/// <param name="StoredLength">The number of stored bytes.</param>
/// <param name="RawLength">The chunk's length (after decompression).</param>
/// <param name="Compressed">Whether the stored bytes are a zstd frame (else they are the chunk itself).</param>
public readonly record struct PackEntry(ObjectId ChunkId, long Offset, int StoredLength, int RawLength, bool Compressed)
{
    /// <summary>The offset just past its stored bytes.</summary>
    public long End => Offset + StoredLength;

    /// <summary>Null when the entry could be in a pack, else what is wrong (lengths, offset, flag).</summary>
    internal string? Problem()
    {
        if (RawLength is < 1 or > PackFormat.MaxChunkLength)
        {
            return $"raw length {RawLength} is outside 1..{PackFormat.MaxChunkLength}";
        }

        if (Compressed ? StoredLength < 1 || StoredLength >= RawLength : StoredLength != RawLength)
        {
            return Compressed
                ? $"compressed, but its stored length {StoredLength} is not below its raw length {RawLength}"
                : $"stored raw, but its stored length {StoredLength} is not its raw length {RawLength}";
        }

        return Offset < PackFormat.HeaderLength || End > PackFormat.MaxPackLength - PackFormat.TrailerLength
            ? $"offset {Offset} is outside the data of a pack"
            : null;
    }
}

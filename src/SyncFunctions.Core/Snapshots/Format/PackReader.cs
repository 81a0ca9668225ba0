namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// Reads a pack (<see cref="PackFormat"/>): its footer, from the whole pack or from its tail alone, and its chunks,
/// each checked against its id (the SHA-256 of the decompressed chunk).
/// </summary>
/// <remarks>
/// Opening checks the header (whole packs only), the trailer, the footer checksum and every entry; it does not hash
/// the whole pack (compare <see cref="ObjectId.Of"/> of the bytes with the pack id for that). Immutable once opened:
/// chunks may be read from several threads.
/// </remarks>
public sealed partial class PackReader
{
    private readonly ReadOnlyMemory<byte> _pack;
    private readonly bool _whole;
    private readonly Dictionary<ObjectId, int> _byId;

    private PackReader(ObjectId packId, long packLength, ReadOnlyMemory<byte> pack, bool whole, ValueList<PackEntry> entries, Dictionary<ObjectId, int> byId)
    {
        PackId = packId;
        PackLength = packLength;
        _pack = pack;
        _whole = whole;
        Entries = entries;
        _byId = byId;
    }

    /// <summary>The pack's id (as given: the name it is stored under).</summary>
    public ObjectId PackId { get; }

    /// <summary>The pack's length in bytes.</summary>
    public long PackLength { get; }

    /// <summary>Its chunks, in data order.</summary>
    public IReadOnlyList<PackEntry> Entries { get; }

    /// <summary>Opens a whole pack held in memory.</summary>
    /// <exception cref="RepositoryFormatException">The pack is damaged; the message names it.</exception>
    public static PackReader Open(ObjectId packId, ReadOnlyMemory<byte> pack)
    {
        var name = NameOf(packId);
        var bytes = pack.Span;
        var header = PackFormat.Magic.Length + 1;
        if (bytes.Length < header)
        {
            throw IsPrefixOfHeader(bytes)
                ? Damaged(name, FormatDamage.Truncated, $"only {bytes.Length} bytes")
                : Damaged(name, FormatDamage.BadMagic, "does not start with \"SFPK\"");
        }

        if (!bytes[..PackFormat.Magic.Length].SequenceEqual(PackFormat.Magic))
        {
            throw Damaged(name, FormatDamage.BadMagic, "does not start with \"SFPK\"");
        }

        if (bytes[PackFormat.Magic.Length] != PackFormat.Version)
        {
            throw UnknownVersion(name, bytes[PackFormat.Magic.Length]);
        }

        if (bytes.Length < PackFormat.MinPackLength || !bytes[^PackFormat.Magic.Length..].SequenceEqual(PackFormat.Magic))
        {
            throw Damaged(name, FormatDamage.Truncated, $"does not end with the pack trailer ({bytes.Length} bytes; cut off?)");
        }

        var (entries, byId) = ReadFooter(name, bytes.Length, bytes);
        return new PackReader(packId, bytes.Length, pack, whole: true, entries, byId);
    }

    /// <summary>
    /// How many bytes from the end of the pack hold its footer and trailer, from a <paramref name="tail"/> of at
    /// least <see cref="PackFormat.TrailerLength"/> bytes: read that many, then call <see cref="FromTail"/>.
    /// </summary>
    /// <exception cref="RepositoryFormatException">The trailer is damaged.</exception>
    public static int FooterReadLength(ObjectId packId, long packLength, ReadOnlySpan<byte> tail)
    {
        CheckTail(packLength, tail, PackFormat.TrailerLength);
        return TrailerFooterLength(NameOf(packId), packLength, tail) + PackFormat.TrailerLength;
    }

    /// <summary>
    /// Opens a pack from its last bytes alone (at least <see cref="FooterReadLength"/> of them); chunks are then read
    /// by range and decoded with <see cref="DecodeChunk"/>. The header is not seen, so not checked.
    /// </summary>
    /// <exception cref="RepositoryFormatException">The footer or trailer is damaged.</exception>
    public static PackReader FromTail(ObjectId packId, long packLength, ReadOnlySpan<byte> tail)
    {
        CheckTail(packLength, tail, PackFormat.TrailerLength);
        var (entries, byId) = ReadFooter(NameOf(packId), packLength, tail);
        return new PackReader(packId, packLength, ReadOnlyMemory<byte>.Empty, whole: false, entries, byId);
    }

    /// <summary>The entry of a chunk, if the pack holds it.</summary>
    public bool TryGetEntry(ObjectId chunkId, out PackEntry entry)
    {
        if (_byId.TryGetValue(chunkId, out var index))
        {
            entry = Entries[index];
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>A chunk of a pack opened whole, checked against its id.</summary>
    /// <exception cref="RepositoryFormatException">The pack holds no such chunk (<see cref="FormatDamage.Missing"/>), or its data is damaged (<see cref="FormatDamage.HashMismatch"/>).</exception>
    /// <exception cref="InvalidOperationException">The pack was opened from its tail.</exception>
    public byte[] ReadChunk(ObjectId chunkId)
    {
        if (!_whole)
        {
            throw new InvalidOperationException("a pack opened from its tail reads chunks by range: DecodeChunk");
        }

        if (!TryGetEntry(chunkId, out var entry))
        {
            throw Damaged(NameOf(PackId), FormatDamage.Missing, $"holds no chunk {chunkId}");
        }

        return DecodeChunk(entry, _pack.Span.Slice((int)entry.Offset, entry.StoredLength));
    }

    /// <summary>
    /// The chunk of <paramref name="entry"/> (one of <see cref="Entries"/>) from its stored bytes (the pack's bytes
    /// from <see cref="PackEntry.Offset"/>, <see cref="PackEntry.StoredLength"/> of them), checked against its id.
    /// </summary>
    /// <exception cref="RepositoryFormatException">Fewer bytes than stored (<see cref="FormatDamage.Truncated"/>), or the data is damaged (<see cref="FormatDamage.HashMismatch"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="entry"/> is not an entry of this pack.</exception>
    public byte[] DecodeChunk(PackEntry entry, ReadOnlySpan<byte> stored)
    {
        if (!TryGetEntry(entry.ChunkId, out var own) || own != entry)
        {
            throw new ArgumentException($"chunk {entry.ChunkId} at {entry.Offset} is not an entry of pack {PackId}", nameof(entry));
        }

        var name = $"chunk {entry.ChunkId} in pack {PackId}";
        if (stored.Length != entry.StoredLength)
        {
            throw Damaged(name, FormatDamage.Truncated, $"{stored.Length} of its {entry.StoredLength} stored bytes");
        }

        byte[] chunk;
        if (entry.Compressed)
        {
            chunk = new byte[entry.RawLength];
            if (Zstd.DecompressExact(stored, chunk) is { } problem)
            {
                throw Damaged(name, FormatDamage.HashMismatch, problem);
            }
        }
        else
        {
            chunk = stored.ToArray();
        }

        return ObjectId.Of(chunk) == entry.ChunkId
            ? chunk
            : throw Damaged(name, FormatDamage.HashMismatch, "content does not hash to its id");
    }

    private static string NameOf(ObjectId packId) => $"pack {packId}";

    private static void CheckTail(long packLength, ReadOnlySpan<byte> tail, int atLeast)
    {
        if (tail.Length < atLeast || tail.Length > packLength)
        {
            throw new ArgumentException($"the tail is {tail.Length} bytes: it must be {atLeast}..{packLength} (the pack's length)", nameof(tail));
        }
    }

    private static bool IsPrefixOfHeader(ReadOnlySpan<byte> bytes)
    {
        Span<byte> header = [.. PackFormat.Magic, PackFormat.Version];
        return header.StartsWith(bytes);
    }

    private static RepositoryFormatException Damaged(string name, FormatDamage damage, string problem) => new(name, damage, problem);

    private static RepositoryFormatException UnknownVersion(string name, byte version) =>
        Damaged(name, FormatDamage.UnknownVersion, $"format version {version} is not supported (this build reads version {PackFormat.Version})");
}

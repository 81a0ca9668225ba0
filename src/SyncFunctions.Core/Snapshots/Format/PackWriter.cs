using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>A finished pack: its bytes, its id and what it holds.</summary>
public sealed class SealedPack
{
    private byte[]? _bytes;

    internal SealedPack(ObjectId id, ReadOnlyMemory<byte> content, IReadOnlyList<PackEntry> entries)
    {
        Id = id;
        Content = content;
        Entries = entries;
    }

    /// <summary>The pack id: the SHA-256 of <see cref="Content"/>.</summary>
    public ObjectId Id { get; }

    /// <summary>The whole pack, to store at <see cref="RepositoryLayout.PackPath"/> (the writer's buffer, not a copy).</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>The whole pack as an array (copied once, on first use).</summary>
    public byte[] Bytes => _bytes ??= Content.ToArray();

    /// <summary>Its length in bytes.</summary>
    public int Length => Content.Length;

    /// <summary>Its chunks, in data order (what its footer lists, and what an index records for it).</summary>
    public IReadOnlyList<PackEntry> Entries { get; }
}

/// <summary>A chunk ready for <see cref="PackWriter.Add(PreparedChunk)"/>: its id, its raw bytes and, when smaller, its zstd form.</summary>
public sealed class PreparedChunk
{
    internal PreparedChunk(ObjectId id, ReadOnlyMemory<byte> raw, byte[]? compressed) => (Id, Raw, Compressed) = (id, raw, compressed);

    /// <summary>The chunk id (SHA-256 of <see cref="Raw"/>).</summary>
    public ObjectId Id { get; }

    /// <summary>The raw bytes (referenced, not copied).</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>The zstd form when it is smaller, else null.</summary>
    internal byte[]? Compressed { get; }
}

/// <summary>
/// Builds one pack (<see cref="PackFormat"/>) in memory: add chunks until <see cref="IsFull"/>, then
/// <see cref="Finish"/>. Each chunk is stored raw or zstd-compressed, whichever is smaller.
/// </summary>
/// <remarks>Not thread-safe: one writer per pack being filled.</remarks>
public sealed class PackWriter
{
    private readonly ArrayBufferWriter<byte> _data;
    private readonly List<PackEntry> _entries = [];
    private readonly Dictionary<ObjectId, int> _byId = [];
    private bool _finished;

    /// <summary>A writer of a pack that is full once it reaches <paramref name="targetLength"/> bytes.</summary>
    /// <param name="targetLength">1..<see cref="PackFormat.MaxPackLength"/>; a chunk longer than it still fits (a pack of one chunk).</param>
    public PackWriter(int targetLength = PackFormat.DefaultTargetLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetLength, PackFormat.MaxPackLength);
        TargetLength = targetLength;
        // Sized once for a full pack (its last chunk may overshoot the target by up to a chunk of the default maximum),
        // not grown by doubling: packs are large, and every doubling is another large-object allocation.
        _data = new ArrayBufferWriter<byte>((int)Math.Min(PackFormat.MaxPackLength, (long)targetLength + Math.Min(targetLength, InitialOvershoot)));
        _data.Write(PackFormat.Magic);
        _data.Write([PackFormat.Version]);
    }

    /// <summary>The length at which the pack counts as full.</summary>
    public int TargetLength { get; }

    /// <summary>Room beyond the target the buffer starts with (a chunk of the default maximum size and the footer).</summary>
    private const int InitialOvershoot = (8 * 1024 * 1024) + (64 * 1024);

    /// <summary>The number of chunks added.</summary>
    public int Count => _entries.Count;

    /// <summary>The length the pack would have if finished now (its length, once finished).</summary>
    public long Length => _finished ? _data.WrittenCount : _data.WrittenCount + FooterLength(_entries.Count) + PackFormat.TrailerLength;

    /// <summary>True once <see cref="Length"/> reached <see cref="TargetLength"/>: finish it, start the next.</summary>
    public bool IsFull => Length >= TargetLength;

    /// <summary>True when the chunk with this id was added.</summary>
    public bool Contains(ObjectId chunkId) => _byId.ContainsKey(chunkId);

    /// <summary>
    /// Adds a chunk (its id is its SHA-256, computed here) and returns where it is; a chunk added before is not
    /// stored again, and its first entry is returned.
    /// </summary>
    /// <exception cref="ArgumentException">The chunk is empty or longer than <see cref="PackFormat.MaxChunkLength"/>.</exception>
    /// <exception cref="InvalidOperationException">The pack was finished, or would pass <see cref="PackFormat.MaxPackLength"/>.</exception>
    public PackEntry Add(ReadOnlySpan<byte> chunk)
    {
        ThrowIfFinished();
        CheckLength(chunk.Length);
        var id = ObjectId.Of(chunk);
        return _byId.TryGetValue(id, out var index) ? _entries[index] : Add(id, chunk, Zstd.CompressIfSmaller(chunk));
    }

    /// <summary>
    /// Adds a chunk prepared by <see cref="Prepare"/> (compressed already, so that work can run outside whatever
    /// serialises the adds) and returns where it is; a chunk added before is not stored again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pack was finished, or would pass <see cref="PackFormat.MaxPackLength"/>.</exception>
    public PackEntry Add(PreparedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ThrowIfFinished();
        return _byId.TryGetValue(chunk.Id, out var index) ? _entries[index] : Add(chunk.Id, chunk.Raw.Span, chunk.Compressed);
    }

    /// <summary>
    /// A chunk ready to add: its id (trusted: the caller hashed the bytes, as the chunker does) and its zstd form when
    /// that is smaller. The raw bytes are referenced, not copied: add it before they change.
    /// </summary>
    /// <exception cref="ArgumentException">The chunk is empty or longer than <see cref="PackFormat.MaxChunkLength"/>.</exception>
    public static PreparedChunk Prepare(ObjectId id, ReadOnlyMemory<byte> chunk)
    {
        CheckLength(chunk.Length);
        return new PreparedChunk(id, chunk, Zstd.CompressIfSmaller(chunk.Span));
    }

    private static void CheckLength(int length)
    {
        if (length is < 1 or > PackFormat.MaxChunkLength)
        {
            throw new ArgumentException($"a chunk is 1..{PackFormat.MaxChunkLength} bytes, not {length}", nameof(length));
        }
    }

    private PackEntry Add(ObjectId id, ReadOnlySpan<byte> chunk, byte[]? compressed)
    {
        var storedLength = compressed?.Length ?? chunk.Length;
        if (Length + storedLength + PackFormat.EntryLength > PackFormat.MaxPackLength)
        {
            throw new InvalidOperationException($"the pack would be longer than {PackFormat.MaxPackLength} bytes; finish it first");
        }

        var entry = new PackEntry(id, _data.WrittenCount, storedLength, chunk.Length, compressed is not null);
        _data.Write(compressed ?? chunk);
        _byId.Add(id, _entries.Count);
        _entries.Add(entry);
        return entry;
    }

    /// <summary>Writes the footer and trailer and returns the pack; the writer takes no more chunks.</summary>
    /// <exception cref="InvalidOperationException">No chunk was added, or it was finished already.</exception>
    public SealedPack Finish()
    {
        ThrowIfFinished();
        if (_entries.Count == 0)
        {
            throw new InvalidOperationException("a pack holds at least one chunk");
        }

        _finished = true;
        var footer = new byte[FooterLength(_entries.Count)];
        footer[0] = PackFormat.Version;
        BinaryPrimitives.WriteUInt32LittleEndian(footer.AsSpan(1), (uint)_entries.Count);
        var at = PackFormat.FooterFixedLength;
        foreach (var entry in _entries)
        {
            WriteEntry(footer.AsSpan(at, PackFormat.EntryLength), entry);
            at += PackFormat.EntryLength;
        }

        Span<byte> trailer = stackalloc byte[PackFormat.TrailerLength];
        SHA256.HashData(footer, trailer);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[32..], (uint)footer.Length);
        PackFormat.Magic.CopyTo(trailer[36..]);
        _data.Write(footer);
        _data.Write(trailer);

        // The buffer is the pack's from now on (no copy: a pack is tens of MiB).
        var bytes = _data.WrittenMemory;
        return new SealedPack(ObjectId.Of(bytes.Span), bytes, ValueList<PackEntry>.Wrap([.. _entries]));
    }

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw new InvalidOperationException("the pack was finished");
        }
    }

    private static int FooterLength(int count) => PackFormat.FooterFixedLength + (count * PackFormat.EntryLength);

    private static void WriteEntry(Span<byte> destination, PackEntry entry)
    {
        entry.ChunkId.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[32..], (uint)entry.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[36..], (uint)entry.StoredLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[40..], (uint)entry.RawLength);
        destination[44] = entry.Compressed ? PackFormat.FlagZstd : PackFormat.FlagRaw;
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Damaged packs: each damage is reported as what it is, naming the pack (or the chunk).</summary>
public sealed class PackDamageTests
{
    private static readonly SealedPack Pack = FormatExamples.Pack();

    [Fact]
    public void Open_EveryTruncationOfAPack_IsTruncated()
    {
        Assert.DoesNotContain(Enumerable.Range(1, Pack.Bytes.Length - 5), at => Pack.Bytes.AsSpan(at, 4).SequenceEqual(PackFormat.Magic));

        for (var length = 0; length < Pack.Bytes.Length; length++)
        {
            var cut = Pack.Bytes[..length];

            var e = Assert.Throws<RepositoryFormatException>(() => PackReader.Open(Pack.Id, cut));

            Assert.True(e.Damage == FormatDamage.Truncated, $"length {length}: {e.Damage}: {e.Message}");
            Assert.StartsWith($"pack {Pack.Id}: ", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ReadChunk_FlippedByteInAChunksData_NamesThatChunkWithHashMismatch(int which)
    {
        var entry = Pack.Entries[which];
        var bytes = Flipped(Pack.Bytes, (int)entry.Offset + (entry.StoredLength / 2));
        var reader = PackReader.Open(ObjectId.Of(bytes), bytes);

        var e = Assert.Throws<RepositoryFormatException>(() => reader.ReadChunk(entry.ChunkId));

        Assert.Equal(FormatDamage.HashMismatch, e.Damage);
        Assert.StartsWith($"chunk {entry.ChunkId} in pack {ObjectId.Of(bytes)}: ", e.Message, StringComparison.Ordinal);
        Assert.All(Pack.Entries.Where(o => o != entry), o => Assert.Equal(o.RawLength, reader.ReadChunk(o.ChunkId).Length));
    }

    [Fact]
    public void Open_FlippedByteAnywhereInTheFooterOrItsChecksum_IsChecksumMismatch()
    {
        var footerLength = PackFormat.FooterFixedLength + (Pack.Entries.Count * PackFormat.EntryLength);
        var start = Pack.Bytes.Length - PackFormat.TrailerLength - footerLength;

        for (var at = start; at < Pack.Bytes.Length - 8; at++)
        {
            var bytes = Flipped(Pack.Bytes, at);

            var e = Assert.Throws<RepositoryFormatException>(() => PackReader.Open(Pack.Id, bytes));

            Assert.True(e.Damage == FormatDamage.ChecksumMismatch, $"byte {at}: {e.Message}");
            Assert.Equal($"pack {Pack.Id}: footer checksum mismatch", e.Message);
        }
    }

    [Fact]
    public void Open_WrongMagicAtTheStart_IsBadMagic()
    {
        var bytes = Pack.Bytes.ToArray();
        "SFPX"u8.CopyTo(bytes);

        var e = Assert.Throws<RepositoryFormatException>(() => PackReader.Open(Pack.Id, bytes));

        Assert.Equal(FormatDamage.BadMagic, e.Damage);
    }

    [Fact]
    public void FromTail_WrongMagicAtTheEnd_IsBadMagic()
    {
        var bytes = Pack.Bytes.ToArray();
        bytes[^1] ^= 0x20;

        var e = Assert.Throws<RepositoryFormatException>(() => PackReader.FromTail(Pack.Id, bytes.Length, bytes));

        Assert.Equal(FormatDamage.BadMagic, e.Damage);
    }

    [Fact]
    public void Open_UnknownVersionInTheHeader_IsUnknownVersion()
    {
        var bytes = Pack.Bytes.ToArray();
        bytes[4] = 2;

        var e = Assert.Throws<RepositoryFormatException>(() => PackReader.Open(Pack.Id, bytes));

        Assert.Equal(FormatDamage.UnknownVersion, e.Damage);
        Assert.Equal($"pack {Pack.Id}: format version 2 is not supported (this build reads version 1)", e.Message);
    }

    [Fact]
    public void Open_UnknownVersionInAFooterWithAValidChecksum_IsUnknownVersion()
    {
        var bytes = WithFooter(Pack.Bytes, footer => footer[0] = 7);

        var e = Assert.Throws<RepositoryFormatException>(() => PackReader.FromTail(Pack.Id, bytes.Length, bytes));

        Assert.Equal(FormatDamage.UnknownVersion, e.Damage);
    }

    [Theory]
    [InlineData(44, 9, "unknown flags")]
    [InlineData(32, 6, "does not follow")]
    [InlineData(40, 1, "not its raw length")]
    public void Open_FooterEntryBreakingARuleWithAValidChecksum_IsMalformed(int field, byte value, string problem)
    {
        var bytes = WithFooter(Pack.Bytes, footer => footer[PackFormat.FooterFixedLength + PackFormat.EntryLength + field] = value);

        var e = Assert.Throws<RepositoryFormatException>(() => PackReader.Open(Pack.Id, bytes));

        Assert.Equal(FormatDamage.Malformed, e.Damage);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeChunk_FewerBytesThanStored_IsTruncated()
    {
        var reader = PackReader.Open(Pack.Id, Pack.Bytes);
        var entry = Pack.Entries[1];

        var e = Assert.Throws<RepositoryFormatException>(() => reader.DecodeChunk(entry, Pack.Bytes.AsSpan((int)entry.Offset, entry.StoredLength - 1)));

        Assert.Equal(FormatDamage.Truncated, e.Damage);
    }

    private static byte[] Flipped(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x01;
        return copy;
    }

    /// <summary>The pack with its footer changed by <paramref name="change"/> and the footer checksum recomputed.</summary>
    private static byte[] WithFooter(byte[] pack, Action<byte[]> change)
    {
        var copy = pack.ToArray();
        var footerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(copy.Length - 8));
        var start = copy.Length - PackFormat.TrailerLength - footerLength;
        var footer = copy[start..(start + footerLength)];
        change(footer);
        footer.CopyTo(copy, start);
        SHA256.HashData(footer).CopyTo(copy, copy.Length - PackFormat.TrailerLength);
        return copy;
    }
}

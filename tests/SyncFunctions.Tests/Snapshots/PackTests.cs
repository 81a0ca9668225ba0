using CsCheck;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>The pack writer and reader: round trips, size targets, reading from the tail, and damaged packs.</summary>
public sealed class PackTests
{
    /// <summary>Chunks that compress (runs of a few byte values) and chunks that do not (random bytes).</summary>
    internal static readonly Gen<byte[]> ChunkGen = Gen.OneOf(
        Gen.Byte.Array[1, 2000],
        Gen.Select(Gen.Byte[0, 3].Array[1, 64], Gen.Int[1, 60], (pattern, repeat) => Enumerable.Repeat(pattern, repeat).SelectMany(b => b).ToArray()));

    [Fact]
    public void WriterThenReader_RandomChunks_GiveEveryChunkBack()
    {
        ChunkGen.Array[1, 12].Sample(chunks =>
        {
            var pack = Build(chunks);

            var whole = PackReader.Open(pack.Id, pack.Bytes);
            var tail = OpenFromTail(pack);

            Assert.Equal(pack.Entries, whole.Entries);
            Assert.Equal(pack.Entries, tail.Entries);
            Assert.Equal(chunks.Select(c => ObjectId.Of(c)).Distinct(), pack.Entries.Select(e => e.ChunkId));
            foreach (var chunk in chunks)
            {
                var id = ObjectId.Of(chunk);
                Assert.True(tail.TryGetEntry(id, out var entry));
                Assert.Equal(chunk, whole.ReadChunk(id));
                Assert.Equal(chunk, tail.DecodeChunk(entry, pack.Bytes.AsSpan((int)entry.Offset, entry.StoredLength)));
                Assert.Equal(entry.Compressed, entry.StoredLength < entry.RawLength);
            }
        }, iter: 150);
    }

    [Fact]
    public void Add_CompressibleAndRandomChunks_StoresEachTheSmallerWay()
    {
        var writer = new PackWriter();

        var text = writer.Add(FormatExamples.TextChunk);
        var noise = writer.Add(FormatExamples.NoiseChunk);

        Assert.True(text.Compressed);
        Assert.True(text.StoredLength < text.RawLength);
        Assert.False(noise.Compressed);
        Assert.Equal(noise.RawLength, noise.StoredLength);
    }

    [Fact]
    public void Add_SameChunkTwice_StoresItOnce()
    {
        var writer = new PackWriter();

        var first = writer.Add(FormatExamples.NoiseChunk);
        var second = writer.Add(FormatExamples.NoiseChunk);

        Assert.Equal(first, second);
        Assert.Equal(1, writer.Count);
        Assert.Single(writer.Finish().Entries);
    }

    [Fact]
    public void IsFull_ChunksUpToTheTarget_TurnsTrueOnceTheLengthReachesIt()
    {
        var writer = new PackWriter(targetLength: 4096);
        var added = 0;
        while (!writer.IsFull)
        {
            writer.Add(FormatExamples.Noise("chunk " + added++, 1000));
        }

        var pack = writer.Finish();

        Assert.Equal(4, added);
        Assert.Equal(writer.Length, pack.Bytes.Length);
        Assert.True(pack.Bytes.Length >= 4096 && pack.Bytes.Length < 4096 + 1000 + PackFormat.EntryLength);
    }

    [Fact]
    public void Add_ChunkLongerThanTheTarget_MakesAPackOfOne()
    {
        var writer = new PackWriter(targetLength: 100);

        writer.Add(FormatExamples.NoiseChunk);

        Assert.True(writer.IsFull);
        Assert.Equal(FormatExamples.NoiseChunk, PackReader.Open(writer.Finish().Id, Build([FormatExamples.NoiseChunk]).Bytes).ReadChunk(ObjectId.Of(FormatExamples.NoiseChunk)));
    }

    [Fact]
    public void WriterMisuse_EmptyChunkEmptyPackOrFinishedPack_Throws()
    {
        var writer = new PackWriter();

        Assert.Throws<ArgumentException>(() => writer.Add([]));
        Assert.Throws<InvalidOperationException>(writer.Finish);
        writer.Add(FormatExamples.TinyChunk);
        writer.Finish();
        Assert.Throws<InvalidOperationException>(() => writer.Add(FormatExamples.TinyChunk));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackWriter(0));
    }

    [Fact]
    public void FooterReadLength_AnyTailOfTheTrailer_SaysHowMuchToRead()
    {
        var pack = FormatExamples.Pack();

        var needed = PackReader.FooterReadLength(pack.Id, pack.Bytes.Length, pack.Bytes.AsSpan(pack.Bytes.Length - PackFormat.TrailerLength));

        Assert.Equal(PackFormat.TrailerLength + PackFormat.FooterFixedLength + (3 * PackFormat.EntryLength), needed);
        Assert.Throws<ArgumentException>(() => PackReader.FromTail(pack.Id, pack.Bytes.Length, pack.Bytes.AsSpan(pack.Bytes.Length - needed + 1)));
    }

    [Fact]
    public void ReadChunk_ChunkNotInThePack_IsMissing()
    {
        var pack = FormatExamples.Pack();
        var other = ObjectId.Of("not in it"u8);

        var e = Assert.Throws<RepositoryFormatException>(() => PackReader.Open(pack.Id, pack.Bytes).ReadChunk(other));

        Assert.Equal(FormatDamage.Missing, e.Damage);
        Assert.Equal($"pack {pack.Id}: holds no chunk {other}", e.Message);
    }

    internal static SealedPack Build(IEnumerable<byte[]> chunks)
    {
        var writer = new PackWriter();
        foreach (var chunk in chunks)
        {
            writer.Add(chunk);
        }

        return writer.Finish();
    }

    internal static PackReader OpenFromTail(SealedPack pack)
    {
        var length = pack.Bytes.Length;
        var needed = PackReader.FooterReadLength(pack.Id, length, pack.Bytes.AsSpan(length - PackFormat.TrailerLength));
        return PackReader.FromTail(pack.Id, length, pack.Bytes.AsSpan(length - needed));
    }
}

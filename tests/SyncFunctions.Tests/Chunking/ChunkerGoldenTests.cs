using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Tests.Chunking;

/// <summary>
/// Pins what decides every stored chunk: the gear table and the boundaries of fixed inputs (golden files in
/// Golden/, one "offset length" line per chunk). A change here re-cuts every repository; set
/// SYNCFN_UPDATE_GOLDEN=1 to rewrite the files only after a deliberate one.
/// </summary>
public sealed class ChunkerGoldenTests
{
    private static readonly ChunkerOptions Small = new(2 << 10, 8 << 10, 64 << 10);

    [Fact]
    public void SplitMix64_ReferenceSeed_GivesVignasOutputs()
    {
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431];
        ulong core = 1234567, test = 1234567;

        Assert.Equal(expected, expected.Select(_ => GearTable.SplitMix64(ref core)));
        Assert.Equal(expected, expected.Select(_ => TestInput.SplitMix64(ref test)));
    }

    [Fact]
    public void GearTable_Values_MatchTheGoldenTable()
    {
        var bytes = new byte[GearTable.Values.Length * sizeof(ulong)];
        for (var i = 0; i < GearTable.Values.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * sizeof(ulong)), GearTable.Values[i]);
        }

        Assert.Equal(256, GearTable.Values.Length);
        Assert.Equal([0xD1CABE6582F91B50, 0x18446FF151D4E343, 0xBAA917584DDC9F00, 0x52D4B52E48F16994], GearTable.Values[..4]);
        Assert.Equal("01a8908be0c1eecb527c85441623e13892b2d772f060c846e02848f50dc0c9fb", Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public void GearTable_ZeroRunHash_MatchesNoMaskOfValidOptions()
    {
        // After 64 zero bytes the hash is Values[0] * (2^64 - 1) = -Values[0]; the loosest valid mask (Avg 128) is the top five bits.
        var hash = 0UL;
        for (var i = 0; i < 64; i++)
        {
            hash = (hash << 1) + GearTable.Values[0];
        }

        Assert.Equal(0UL - GearTable.Values[0], hash);
        Assert.NotEqual(0UL, hash >> 59);
    }

    [Fact]
    public void FindBoundary_SmallOptionsOn4MiB_MatchesTheGoldenBoundaries() =>
        GoldenFile.AssertMatches("small-2k-8k-64k-4MiB.txt", Render(Chunks.Lengths(TestInput.Random(1, 4 << 20), Small)));

    [Fact]
    public void FindBoundary_DefaultOptionsOn24MiB_MatchesTheGoldenBoundaries() =>
        GoldenFile.AssertMatches("default-24MiB.txt", Render(Chunks.Lengths(TestInput.Random(2, 24 << 20), ChunkerOptions.Default)));

    [Fact]
    public async Task ChunkAsync_DefaultOptionsOn24MiB_GivesTheGoldenBoundaries()
    {
        var data = TestInput.Random(2, 24 << 20);

        var chunks = await Chunks.ByStreamAsync(new MemoryStream(data), ChunkerOptions.Default);

        Assert.Equal(Render(Chunks.Lengths(data, ChunkerOptions.Default)), Render(chunks.Select(c => c.Length)));
    }

    private static string Render(IEnumerable<int> lengths)
    {
        var text = new StringBuilder();
        var offset = 0L;
        foreach (var length in lengths)
        {
            text.Append(offset).Append(' ').Append(length).Append('\n');
            offset += length;
        }

        return text.ToString();
    }
}

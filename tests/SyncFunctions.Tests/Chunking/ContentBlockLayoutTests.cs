using CsCheck;
using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Transfer;

namespace SyncFunctions.Tests.Chunking;

/// <summary>The content-defined block layout of a large file to a Blob mirror: segments, chunk budget, block ids.</summary>
public sealed class ContentBlockLayoutTests
{
    private const int MaxBlocks = 50_000;

    [Fact]
    public void BlockId_HasTheLengthOfAFixedLayoutId_AndIsTaggedApart()
    {
        var fixedIds = ChunkLayout.ChunkIds("v1", 100 << 20, 4 << 20, 25);
        var id = ContentBlockLayout.BlockId(System.Security.Cryptography.SHA256.HashData("abc"u8));

        Assert.Equal(Convert.FromBase64String(fixedIds[0]).Length, Convert.FromBase64String(id).Length);
        Assert.True(ContentBlockLayout.IsContentBlockId(id));
        Assert.DoesNotContain(fixedIds, ContentBlockLayout.IsContentBlockId);
    }

    [Fact]
    public void BlockId_IsAFunctionOfTheHash()
    {
        var a = System.Security.Cryptography.SHA256.HashData("a"u8);
        var b = System.Security.Cryptography.SHA256.HashData("b"u8);

        Assert.Equal(ContentBlockLayout.BlockId(a), ContentBlockLayout.BlockId([.. a]));
        Assert.NotEqual(ContentBlockLayout.BlockId(a), ContentBlockLayout.BlockId(b));
    }

    /// <summary>
    /// For any size the layout serves, its segments tile the file and the most blocks it can cut (every chunk at the
    /// minimum, plus one forced cut per segment) stay within the limit; sizes it does not serve are beyond what
    /// chunks of at most 64 MiB can cut.
    /// </summary>
    [Fact]
    public void For_AnySize_SegmentsTileTheFileAndBlocksStayWithinTheLimit()
    {
        Gen.Select(Gen.Long[0, 220L << 30], Gen.Int[1, 64]).Sample((size, segmentMib) =>
        {
            var segment = (long)segmentMib << 20;
            var layout = ContentBlockLayout.For(size, segment, MaxBlocks);
            var segments = Math.Max(1, (size + segment - 1) / segment);
            if (layout is null)
            {
                const long LargestMin = ChunkerOptions.LargestMax / 16;
                return segments >= MaxBlocks || (size + LargestMin - 1) / LargestMin > MaxBlocks - segments;
            }

            var (lastOffset, lastLength) = layout.Segment(layout.Segments - 1);
            var tiles = layout.Segments == 1 ? lastLength == size : lastOffset + lastLength == size && layout.Segment(0) == (0, segment);
            var worst = ((size + layout.Chunker.Min - 1) / layout.Chunker.Min) + layout.Segments;
            return tiles && layout.Segments == segments && worst <= MaxBlocks && layout.Chunker.Problem() is null;
        });
    }

    [Fact]
    public void For_LimitTooSmallForTheSegments_IsNull() =>
        Assert.Null(ContentBlockLayout.For(100L << 20, 1 << 20, maxChunks: 100));
}

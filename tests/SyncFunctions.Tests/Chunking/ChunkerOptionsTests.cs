using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Tests.Chunking;

public sealed class ChunkerOptionsTests
{
    private const int KiB = 1 << 10;
    private const int MiB = 1 << 20;
    private const long GiB = 1L << 30;

    [Fact]
    public void Default_Is512KiB1MiB8MiB_AndUsable()
    {
        Assert.Equal(new ChunkerOptions(512 * KiB, MiB, 8 * MiB), ChunkerOptions.Default);
        Assert.Null(ChunkerOptions.Default.Problem());
    }

    [Theory]
    [InlineData(64, 128, 129)]
    [InlineData(256, 1024, 8192)]
    [InlineData(1023, 1024, 1025)]
    [InlineData(16 * MiB, 32 * MiB, 64 * MiB)]
    public void Problem_ValidSizes_IsNull(int min, int avg, int max) => Assert.Null(new ChunkerOptions(min, avg, max).Problem());

    [Theory]
    [InlineData(63, 128, 256, "minimum")]
    [InlineData(0, 128, 256, "minimum")]
    [InlineData(-1, 128, 256, "minimum")]
    [InlineData(1024, 1024, 4096, "grow strictly")]
    [InlineData(2048, 1024, 4096, "grow strictly")]
    [InlineData(256, 1024, 1024, "grow strictly")]
    [InlineData(256, 1024, 512, "grow strictly")]
    [InlineData(256, 1000, 4096, "power of two")]
    [InlineData(256, 1536, 4096, "power of two")]
    [InlineData(MiB, 32 * MiB, (64 * MiB) + 1, "maximum")]
    [InlineData(MiB, 32 * MiB, int.MaxValue, "maximum")]
    public void Problem_InvalidSizes_SaysWhat(int min, int avg, int max, string expected) =>
        Assert.Contains(expected, new ChunkerOptions(min, avg, max).Problem(), StringComparison.Ordinal);

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(GiB)]
    [InlineData(50_000L * 512 * KiB)]
    public void ForFileSize_UpTo50000TimesTheDefaultMin_IsTheDefault(long size) => Assert.Same(ChunkerOptions.Default, ChunkerOptions.ForFileSize(size));

    [Fact]
    public void ForFileSize_OneByteMoreThan50000DefaultMins_DoublesAllThree() =>
        Assert.Equal(new ChunkerOptions(MiB, 2 * MiB, 16 * MiB), ChunkerOptions.ForFileSize((50_000L * 512 * KiB) + 1));

    [Fact]
    public void ForFileSize_100GiB_ScalesUntil50000ChunksCoverIt()
    {
        var options = ChunkerOptions.ForFileSize(100 * GiB);

        Assert.Equal(new ChunkerOptions(4 * MiB, 8 * MiB, 64 * MiB), options);
        Assert.Null(options.Problem());
        Assert.True((100 * GiB + options.Min - 1) / options.Min <= 50_000);
    }

    [Theory]
    [InlineData(100L * GiB, 100_000, 2 * MiB)]
    [InlineData(10L * MiB, 10, MiB)]
    [InlineData(10L * MiB, 20, 512 * KiB)]
    [InlineData(10L * MiB, 19, MiB)]
    public void ForFileSize_MaxChunks_GivesTheSmallestScaleWithinIt(long size, int maxChunks, int expectedMin)
    {
        var options = ChunkerOptions.ForFileSize(size, maxChunks);

        Assert.Equal(expectedMin, options.Min);
        Assert.Equal(options.Min * 2, options.Avg);
        Assert.Equal(options.Min * 16, options.Max);
    }

    [Fact]
    public void ForFileSize_LargestCoveredSize_IsTheLargestOptions() =>
        Assert.Equal(new ChunkerOptions(4 * MiB, 8 * MiB, 64 * MiB), ChunkerOptions.ForFileSize(50_000L * 4 * MiB));

    [Theory]
    [InlineData((50_000L * 4 * MiB) + 1, 50_000)]
    [InlineData(long.MaxValue, 50_000)]
    [InlineData(-1L, 50_000)]
    [InlineData(GiB, 0)]
    [InlineData(GiB, -5)]
    public void ForFileSize_NoOptionsServe_Throws(long size, int maxChunks) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkerOptions.ForFileSize(size, maxChunks));
}

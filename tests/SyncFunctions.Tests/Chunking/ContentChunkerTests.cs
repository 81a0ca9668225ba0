using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Tests.Chunking;

/// <summary>The cut rule of <see cref="ContentChunker.FindBoundary"/>: the size limits, normalized chunking's statistics, runs of zeros.</summary>
public sealed class ContentChunkerTests
{
    private static readonly ChunkerOptions Small = new(256, 1 << 10, 8 << 10);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    public void FindBoundary_AtMostMin_IsAllOfIt(int length) => Assert.Equal(length, ContentChunker.FindBoundary(TestInput.Random(3, length), Small));

    [Fact]
    public void FindBoundary_MoreThanMax_CutsWithinMinAndMax()
    {
        var data = TestInput.Random(4, 1 << 20);
        for (var at = 0; at < data.Length - Small.Max; at += 997)
        {
            Assert.InRange(ContentChunker.FindBoundary(data.AsSpan(at), Small), Small.Min, Small.Max);
        }
    }

    [Fact]
    public void FindBoundary_NullOptions_Throws() =>
        Assert.Throws<ArgumentNullException>(() => ContentChunker.FindBoundary(new byte[10], null!));

    [Fact]
    public void FindBoundary_OptionsWithAProblem_ThrowsWithIt()
    {
        var error = Assert.Throws<ArgumentException>(() => ContentChunker.FindBoundary(new byte[10], new ChunkerOptions(256, 1000, 8192)));
        Assert.Contains("power of two", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(256, 1 << 10, 8 << 10, 16 << 20)]
    [InlineData(2 << 10, 8 << 10, 64 << 10, 16 << 20)]
    [InlineData(512 << 10, 1 << 20, 8 << 20, 32 << 20)]
    public void FindBoundary_LargeRandomInput_MeanLengthIsWithin35PercentOfAvg(int min, int avg, int max, int size)
    {
        var options = new ChunkerOptions(min, avg, max);

        var lengths = Chunks.Lengths(TestInput.Random(5, size), options);

        Assert.InRange((double)size / lengths.Count, 0.65 * avg, 1.35 * avg);
    }

    [Fact]
    public void FindBoundary_LargeRandomInput_FewChunksBelowAvgOrAboveTwiceAvg()
    {
        // Level-2 normalization: a mask two bits stricter before Avg, two looser after. With one log2(Avg)-bit mask,
        // about half the chunks would be shorter than Avg and three in ten longer than twice it.
        var lengths = Chunks.Lengths(TestInput.Random(6, 16 << 20), Small);

        var belowAvg = lengths.SkipLast(1).Count(l => l < Small.Avg) / (double)lengths.Count;
        var aboveTwiceAvg = lengths.Count(l => l > 2 * Small.Avg) / (double)lengths.Count;

        Assert.InRange(belowAvg, 0.12, 0.22); // expected 1 - e^(-(Avg - Min) / (4 Avg)) = 0.17
        Assert.InRange(aboveTwiceAvg, 0.005, 0.03); // expected about 0.83 e^(-4) = 0.015
    }

    [Theory]
    [InlineData(256, 1 << 10, 8 << 10, (10 * (8 << 10)) + 123)]
    [InlineData(64, 128, 129, 1000)]
    [InlineData(512 << 10, 1 << 20, 8 << 20, 3 * (8 << 20))]
    public async Task FindBoundaryAndChunkAsync_Zeros_CutOnlyAtMax(int min, int avg, int max, int size)
    {
        var options = new ChunkerOptions(min, avg, max);
        var zeros = new byte[size];
        var expected = Enumerable.Repeat(max, size / max).Concat(size % max == 0 ? [] : [size % max]).ToList();

        var chunks = await Chunks.ByStreamAsync(new MemoryStream(zeros), options);

        Assert.Equal(expected, Chunks.Lengths(zeros, options));
        Assert.Equal(expected, chunks.Select(c => c.Length));
        Assert.Single(chunks.Where(c => c.Length == max).Select(c => c.Sha256).Distinct());
    }

    [Fact]
    public void FindBoundary_DifferentAvg_CutsDifferently()
    {
        var data = TestInput.Random(7, 256 << 10);

        Assert.NotEqual(Chunks.Lengths(data, Small), Chunks.Lengths(data, Small with { Avg = 2 << 10 }));
    }
}

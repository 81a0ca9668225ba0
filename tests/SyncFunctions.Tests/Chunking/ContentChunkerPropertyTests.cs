using CsCheck;
using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Tests.Chunking;

/// <summary>
/// Properties of the chunker over random options, inputs (random, periodic, mostly zeros; see
/// <see cref="TestInput.Make"/>) and read patterns.
/// </summary>
public sealed class ContentChunkerPropertyTests
{
    /// <summary>Valid options around small sizes: Avg 128 B to 8 KiB, any Min from 64 B below it, any Max up to 16 times it.</summary>
    private static readonly Gen<ChunkerOptions> Options =
        Gen.Int[7, 13].SelectMany(bits => Gen.Select(Gen.Int[ChunkerOptions.SmallestMin, (1 << bits) - 1], Gen.Int[(1 << bits) + 1, 16 << bits])
            .Select((min, max) => new ChunkerOptions(min, 1 << bits, max)));

    /// <summary>An input as (kind, seed, length), built by <see cref="TestInput.Make"/> in the test so a failure prints the triple.</summary>
    private static readonly Gen<(int Kind, ulong Seed, int Length)> Input = Gen.Select(Gen.Int[0, TestInput.KindCount - 1], Gen.ULong, Gen.Int[0, 50_000]);

    [Fact]
    public void FindBoundary_RandomInputs_CutsCoverTheInputWithinMinAndMax()
    {
        Gen.Select(Options, Input).Sample((options, input) =>
        {
            var data = TestInput.Make(input.Kind, input.Seed, input.Length);

            var lengths = Chunks.Lengths(data, options);

            Assert.Equal(data.Length, lengths.Sum());
            Assert.All(lengths.SkipLast(1), l => Assert.InRange(l, options.Min, options.Max));
            Assert.All(lengths.TakeLast(1), l => Assert.InRange(l, 1, options.Max));
        }, iter: 300);
    }

    [Fact]
    public void FindBoundary_AnyInputCutAfterTheBoundary_GivesTheSameBoundary()
    {
        // A cut depends on no byte after it: the chunk is the same whatever follows it, and when nothing does.
        Gen.Select(Options, Input, Gen.Int[0, int.MaxValue]).Sample((options, input, cut) =>
        {
            var data = TestInput.Make(input.Kind, input.Seed, input.Length);
            var boundary = ContentChunker.FindBoundary(data, options);

            var end = boundary + (cut % (data.Length - boundary + 1));

            Assert.Equal(boundary, ContentChunker.FindBoundary(data.AsSpan(0, end), options));
        }, iter: 300);
    }

    [Fact]
    public async Task ChunkAsync_RandomInputsAndShortReads_YieldsTheSpanCutAndTheInputsBytes()
    {
        var reads = Gen.OneOf(Gen.Int[1, 16], Gen.Int[1, 70_000]).Array[1, 6];
        var yieldEvery = Gen.OneOf(Gen.Const(0), Gen.Int[50, 500]);

        await Gen.Select(Options, Input, reads, yieldEvery).SampleAsync(async (options, input, readSizes, yieldAt) =>
        {
            var data = TestInput.Make(input.Kind, input.Seed, input.Length);
            var bytes = new MemoryStream();

            var chunks = await Chunks.ByStreamAsync(new ShortReadStream(data, readSizes, yieldAt), options, bytes);

            Assert.Equal(Chunks.BySpan(data, options), chunks);
            Assert.Equal(data, bytes.ToArray());
        }, iter: 200);
    }
}

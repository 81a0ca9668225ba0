using CsCheck;
using SyncFunctions.Core.Chunking;
using Xunit.Abstractions;

namespace SyncFunctions.Tests.Chunking;

/// <summary>
/// What content-defined chunking is for: an insertion or deletion of 1 to 1000 bytes leaves the chunks before it
/// alone, and the chunks after it cut as before (shifted), so a repository stores only the few chunks around it.
/// </summary>
/// <remarks>
/// Re-synchronisation is probabilistic: normalized chunking makes a cut depend on the chunk's length, so the cuts
/// of the edited input can leapfrog the original ones for a while. Measured over a million random edits with these
/// options (Min 256, Avg 1 KiB, Max 8 KiB), the first chunk of the shared tail started within 1.4 KiB of the edit at
/// the median, beyond Max after 1.4% of the edits, beyond 2 Max after 0.017%, beyond 3 Max after one, beyond 4 Max
/// after none; the tail shrinks about 80-fold per Max. So the random property asserts 5 Max (a failure would mean
/// broken content-definition, not bad luck), and a fixed set of edits pins the typical behaviour.
/// </remarks>
public sealed class ContentChunkerEditTests(ITestOutputHelper output)
{
    private static readonly ChunkerOptions Small = new(256, 1 << 10, 8 << 10);

    [Fact]
    public void FindBoundary_RandomEdit_KeepsTheChunksBeforeItAndResynchronisesWithinFiveMax()
    {
        var edit = Gen.Select(Gen.Bool, Gen.Int[0, int.MaxValue], Gen.Int[1, 1000], Gen.ULong);

        Gen.Select(Gen.ULong, Gen.Int[5 * Small.Max, 16 * Small.Max], edit).Sample((seed, length, e) =>
        {
            var (insert, at, count, insertSeed) = e;
            var data = TestInput.Random(seed, length);
            var change = Edit.Of(insert, at % length, count, insertSeed, length);
            var edited = change.Apply(data);

            var original = Chunks.BySpan(data, Small);
            var changed = Chunks.BySpan(edited, Small);

            var before = original.TakeWhile(c => c.Offset + c.Length <= change.Position).ToList();
            Assert.Equal(before, changed.Take(before.Count));

            var originals = original.ToHashSet();
            var after = changed.Where(c => c.Offset >= change.EditedEnd + (5 * Small.Max)).ToList();
            Assert.All(after, c => Assert.Contains(c with { Offset = c.Offset - change.Shift }, originals));
            Assert.True(after.Count > 0 || change.EditedEnd + (6 * Small.Max) >= edited.Length, "no chunk after the edit was compared");
        }, iter: 300);
    }

    [Fact]
    public void FindBoundary_2000FixedEdits_NearlyAllResynchroniseWithinMaxAndTwiceMax()
    {
        const int Edits = 2000;
        var distances = new List<long>(Edits);
        for (var e = 0UL; e < Edits; e++)
        {
            var state = e;
            var length = (6 * Small.Max) + (int)(TestInput.SplitMix64(ref state) % (4 * (ulong)Small.Max));
            var data = TestInput.Random(TestInput.SplitMix64(ref state), length);
            var change = Edit.Of(
                TestInput.SplitMix64(ref state) % 2 == 0,
                (int)(TestInput.SplitMix64(ref state) % (ulong)(length - (3 * Small.Max))),
                1 + (int)(TestInput.SplitMix64(ref state) % 1000),
                TestInput.SplitMix64(ref state),
                length);

            distances.Add(ResynchronisedAt(Chunks.Lengths(data, Small), Chunks.Lengths(change.Apply(data), Small), change) - change.EditedEnd);
        }

        var beyondMax = distances.Count(d => d > Small.Max);
        var beyondTwiceMax = distances.Count(d => d > 2 * Small.Max);
        distances.Sort();
        output.WriteLine($"median {distances[Edits / 2]} B, 99th percentile {distances[Edits * 99 / 100]} B, largest {distances[^1]} B; beyond Max {beyondMax}, beyond 2 Max {beyondTwiceMax}");

        Assert.InRange(beyondMax, 0, Edits * 3 / 100);
        Assert.InRange(beyondTwiceMax, 0, 2);
        Assert.InRange(distances[Edits / 2], 0, 2 * Small.Avg);
    }

    /// <summary>Where (in the edited input) the chunks that are all the original's, shifted, begin.</summary>
    private static long ResynchronisedAt(List<int> original, List<int> changed, Edit change)
    {
        var originals = new HashSet<(long, int)>();
        var at = 0L;
        foreach (var length in original)
        {
            originals.Add((at, length));
            at += length;
        }

        var end = changed.Sum(l => (long)l);
        var from = end;
        for (var i = changed.Count - 1; i >= 0 && from - changed[i] >= change.EditedEnd && originals.Contains((from - changed[i] - change.Shift, changed[i])); i--)
        {
            from -= changed[i];
        }

        return from;
    }

    /// <summary>An insertion of <see cref="Inserted"/> or a deletion of <see cref="Removed"/> bytes at <see cref="Position"/>.</summary>
    private sealed record Edit(int Position, byte[] Inserted, int Removed)
    {
        /// <summary>Where the edited input is the original again, shifted.</summary>
        public int EditedEnd => Position + Inserted.Length;

        /// <summary>How far the bytes after the edit moved.</summary>
        public int Shift => Inserted.Length - Removed;

        public static Edit Of(bool insert, int position, int count, ulong seed, int length) =>
            insert ? new Edit(position, TestInput.Random(seed, count), 0) : new Edit(position, [], Math.Min(count, length - position));

        public byte[] Apply(byte[] data) => [.. data.AsSpan(0, Position), .. Inserted, .. data.AsSpan(Position + Removed)];
    }
}

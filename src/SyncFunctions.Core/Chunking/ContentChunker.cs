using System.Numerics;

namespace SyncFunctions.Core.Chunking;

/// <summary>
/// Content-defined chunking (FastCDC with normalized chunking, level 2): boundaries follow the content, so an
/// insertion or deletion changes only the chunks around it and the chunks after it cut the same again.
/// </summary>
/// <remarks>
/// The gear hash <c>hash = (hash &lt;&lt; 1) + Gear[b]</c> runs over each chunk; a cut may follow any byte from
/// <see cref="ChunkerOptions.Min"/> on, and is taken where the top bits of the hash are all zero: log2(Avg) + 2 bits
/// before <see cref="ChunkerOptions.Avg"/> (rare cuts), log2(Avg) - 2 bits from it on (frequent cuts), and always at
/// <see cref="ChunkerOptions.Max"/>. The shift moves every byte up one bit per step, so the top bits depend on the
/// last 64 bytes only; hashing starts 64 bytes before <see cref="ChunkerOptions.Min"/>, so whether a cut can follow a
/// byte depends on those 64 bytes and on the length the chunk would have, never on earlier content. The mean chunk
/// length comes out somewhat above Avg (about 1.15-1.2 times it for Min = Avg / 4 to Avg / 2). Every member is
/// thread-safe.
/// </remarks>
public static partial class ContentChunker
{
    /// <summary>The bytes before a candidate cut that decide it: the width of the gear hash.</summary>
    private const int Window = 64;

    /// <summary>How much the normalization level moves the mask from log2(Avg) bits, each way.</summary>
    private const int Normalization = 2;

    /// <summary>
    /// The length of the chunk that starts at <c>data[0]</c> when <paramref name="data"/> is the rest of the input:
    /// all of it when it is at most <see cref="ChunkerOptions.Min"/> long, else a length in
    /// [<see cref="ChunkerOptions.Min"/>, <see cref="ChunkerOptions.Max"/>], or <c>data.Length</c> when no cut
    /// comes before the end.
    /// </summary>
    /// <remarks>
    /// Pure and allocation-free. Called on less than <see cref="ChunkerOptions.Max"/> bytes that are not the end of
    /// the input, it may return a length that the full input would not give; <see cref="ChunkAsync"/> always passes
    /// at least Max bytes or the whole rest.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="options"/> have a <see cref="ChunkerOptions.Problem"/>.</exception>
    public static int FindBoundary(ReadOnlySpan<byte> data, ChunkerOptions options)
    {
        ThrowIfUnusable(options);
        if (data.Length <= options.Min)
        {
            return data.Length;
        }

        var end = Math.Min(data.Length, options.Max);
        var normal = Math.Min(end, options.Avg);
        var bits = BitOperations.Log2((uint)options.Avg);
        var strict = ulong.MaxValue << (64 - (bits + Normalization));
        var loose = ulong.MaxValue << (64 - (bits - Normalization));
        var gear = GearTable.Values;

        // After byte i is hashed, a cut there gives length i + 1: the first candidate is length Min, with a full window.
        var hash = 0UL;
        var i = options.Min - Window;
        for (; i < options.Min - 1; i++)
        {
            hash = (hash << 1) + gear[data[i]];
        }

        for (; i < normal - 1; i++)
        {
            hash = (hash << 1) + gear[data[i]];
            if ((hash & strict) == 0)
            {
                return i + 1;
            }
        }

        for (; i < end - 1; i++)
        {
            hash = (hash << 1) + gear[data[i]];
            if ((hash & loose) == 0)
            {
                return i + 1;
            }
        }

        return end;
    }

    private static void ThrowIfUnusable(ChunkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException($"Unusable chunker options: {problem}.", nameof(options));
        }
    }
}

using System.Numerics;

namespace SyncFunctions.Core.Chunking;

/// <summary>
/// The chunk sizes of <see cref="ContentChunker"/>, in bytes: no chunk is shorter than <paramref name="Min"/> (except
/// the last of an input) or longer than <paramref name="Max"/>; <paramref name="Avg"/> is the point where the cut test
/// switches from a strict to a loose mask (normalized chunking), so chunk lengths gather around it.
/// </summary>
/// <remarks>
/// The options are part of a chunk's identity: the same input cut with other options gives other chunks, so a
/// repository that deduplicates by chunk must keep its options with its data. <see cref="Problem"/> tells whether
/// the values are usable; the chunker refuses options it reports a problem for.
/// </remarks>
/// <param name="Min">The shortest chunk (at least <see cref="SmallestMin"/>).</param>
/// <param name="Avg">The normalization point, a power of two between <paramref name="Min"/> and <paramref name="Max"/>.</param>
/// <param name="Max">The longest chunk, where a cut is forced (at most <see cref="LargestMax"/>).</param>
public sealed record ChunkerOptions(int Min, int Avg, int Max)
{
    /// <summary>The smallest usable <see cref="Min"/>: the cut test reads the 64 bytes before a cut, all inside the chunk.</summary>
    public const int SmallestMin = 64;

    /// <summary>The largest usable <see cref="Max"/> (64 MiB), which bounds the streaming buffer (about twice it).</summary>
    public const int LargestMax = 64 << 20;

    /// <summary>512 KiB / 1 MiB / 8 MiB: chunks large enough to keep a repository's index small, small enough to deduplicate edits.</summary>
    public static ChunkerOptions Default { get; } = new(512 << 10, 1 << 20, 8 << 20);

    /// <summary>Why the options cannot be used, or <see langword="null"/> when they can.</summary>
    public string? Problem()
    {
        if (Min < SmallestMin)
        {
            return $"the minimum chunk size {Min} is below {SmallestMin} bytes";
        }

        if (Max > LargestMax)
        {
            return $"the maximum chunk size {Max} is above {LargestMax} bytes";
        }

        if (Min >= Avg || Avg >= Max)
        {
            return $"the chunk sizes must grow strictly: minimum {Min} < average {Avg} < maximum {Max}";
        }

        return BitOperations.IsPow2(Avg) ? null : $"the average chunk size {Avg} is not a power of two";
    }

    /// <summary>
    /// Options for an input of <paramref name="size"/> bytes that cannot cut it into more than
    /// <paramref name="maxChunks"/> chunks: <see cref="Default"/>, with all three sizes doubled together until
    /// <c>ceil(size / Min) &lt;= maxChunks</c>. Every chunk but the last is at least <see cref="Min"/> long, so that
    /// bound holds whatever the content; the default 50,000 is Azure's limit of blocks per blob.
    /// </summary>
    /// <remarks>
    /// Doubling stops at <see cref="LargestMax"/>, so the largest size served is <c>4 MiB * maxChunks</c> (about
    /// 195 GiB for 50,000 chunks); a larger input needs fixed-size blocks instead.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="size"/> is negative or too large for <paramref name="maxChunks"/> chunks, or
    /// <paramref name="maxChunks"/> is not positive.
    /// </exception>
    public static ChunkerOptions ForFileSize(long size, int maxChunks = 50_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChunks);
        var options = Default;
        while (CeilingDivide(size, options.Min) > maxChunks)
        {
            if (options.Max > LargestMax / 2)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(size),
                    size,
                    $"no chunk sizes up to {LargestMax} bytes cut {size} bytes into at most {maxChunks} chunks (the largest is {(long)options.Min * maxChunks} bytes)");
            }

            options = new ChunkerOptions(options.Min * 2, options.Avg * 2, options.Max * 2);
        }

        return options;
    }

    private static long CeilingDivide(long size, int divisor) => (size / divisor) + (size % divisor == 0 ? 0 : 1);
}

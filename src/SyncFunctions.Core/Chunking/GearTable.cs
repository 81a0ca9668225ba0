namespace SyncFunctions.Core.Chunking;

/// <summary>
/// The 256 random 64-bit values of the gear hash, one per byte value: the first 256 outputs of SplitMix64 from
/// <see cref="Seed"/>. They decide every chunk boundary, so changing one value re-cuts every stored input; a golden
/// test pins them.
/// </summary>
/// <remarks>
/// With this seed, a run of zero bytes never cuts: after 64 zeros the hash is constant, <c>-Values[0]</c>
/// (0x2E35419A7D06E4B0), whose top five bits (the loosest mask of any valid options) are not all zero. Zero-filled
/// regions therefore become <see cref="ChunkerOptions.Max"/>-long chunks instead of a run of minimum-length ones.
/// </remarks>
internal static class GearTable
{
    /// <summary>"SyncFunc" in ASCII, read big-endian.</summary>
    internal const ulong Seed = 0x53796E6346756E63;

    /// <summary>The table; never written after type initialisation.</summary>
    internal static readonly ulong[] Values = Generate(Seed);

    /// <summary>The SplitMix64 step (Steele, Lea and Flood; Vigna's reference code): advances the state and returns the next output.</summary>
    internal static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static ulong[] Generate(ulong seed)
    {
        var values = new ulong[256];
        var state = seed;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = SplitMix64(ref state);
        }

        return values;
    }
}

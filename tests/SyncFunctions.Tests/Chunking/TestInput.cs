using System.Buffers.Binary;

namespace SyncFunctions.Tests.Chunking;

/// <summary>
/// Deterministic inputs for the chunker tests, from SplitMix64 written out here (not <see cref="Random"/>, whose
/// algorithm may change between runtimes and would silently move the golden boundaries).
/// </summary>
internal static class TestInput
{
    /// <summary>The kinds <see cref="Make"/> builds, for generators to pick from.</summary>
    public const int KindCount = 3;

    /// <summary>One SplitMix64 step (Vigna's reference code).</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary><paramref name="length"/> pseudo-random bytes: the SplitMix64 outputs from <paramref name="seed"/>, little-endian.</summary>
    public static byte[] Random(ulong seed, int length)
    {
        var data = new byte[length];
        var state = seed;
        var i = 0;
        for (; i + sizeof(ulong) <= length; i += sizeof(ulong))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i), SplitMix64(ref state));
        }

        Span<byte> last = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(last, SplitMix64(ref state));
        last[..(length - i)].CopyTo(data.AsSpan(i));
        return data;
    }

    /// <summary>
    /// An input of kind <paramref name="kind"/> (modulo <see cref="KindCount"/>): 0 random bytes; 1 a random block of
    /// 1 to 300 bytes repeated (periodic content, where cuts repeat or never come); 2 zeros with a random byte every
    /// few thousand (long runs that only a forced cut ends).
    /// </summary>
    public static byte[] Make(int kind, ulong seed, int length)
    {
        var state = seed;
        switch (kind % KindCount)
        {
            case 0:
                return Random(seed, length);
            case 1:
                var block = Random(seed, 1 + (int)(SplitMix64(ref state) % 300));
                var periodic = new byte[length];
                for (var i = 0; i < length; i++)
                {
                    periodic[i] = block[i % block.Length];
                }

                return periodic;
            default:
                var sparse = new byte[length];
                for (var i = (int)(SplitMix64(ref state) % 4096); i < length; i += 1 + (int)(SplitMix64(ref state) % 4096))
                {
                    sparse[i] = (byte)SplitMix64(ref state);
                }

                return sparse;
        }
    }
}

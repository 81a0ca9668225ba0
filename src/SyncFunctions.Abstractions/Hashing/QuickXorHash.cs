using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SyncFunctions.Abstractions.Hashing;

/// <summary>
/// OneDrive's QuickXorHash (the <c>file.hashes.quickXorHash</c> value): a 160-bit, non-cryptographic
/// hash where input byte <c>i</c> is XORed into the accumulator at bit offset <c>(11·i) mod 160</c>
/// (rotating within the 160-bit block), the block is serialised little-endian, and the total length
/// (64-bit little-endian) is XORed into its last 8 bytes. Graph shows it as standard Base64.
/// </summary>
/// <remarks>
/// Lives in Abstractions so that the Graph adapter (verifying downloads), the engine and the loopback
/// server share one implementation. Written from the published definition. Because <c>11·160 ≡ 0 (mod 160)</c>, every byte whose stream index is
/// congruent modulo 160 lands on the same bit offset; the hot loop therefore only XORs the input into
/// a 160-byte ring of "lanes" (20 <see cref="ulong"/>s per block) and the bit placement happens once,
/// in <see cref="HashFinal"/>. Instances are not thread-safe (like every <see cref="HashAlgorithm"/>).
/// </remarks>
public sealed class QuickXorHash : HashAlgorithm
{
    /// <summary>Hash width in bits.</summary>
    public const int WidthInBits = 160;

    /// <summary>Bits the insertion point moves per input byte.</summary>
    public const int ShiftPerByte = 11;

    private const int LaneCount = WidthInBits; // one lane per byte position modulo 160
    private const int LaneWords = LaneCount / sizeof(ulong);

    private readonly ulong[] _lanes = new ulong[LaneWords];
    private int _position; // stream index modulo 160
    private long _length;

    /// <summary>Creates a hash with an empty state.</summary>
    public QuickXorHash()
    {
        HashSizeValue = WidthInBits;
    }

    /// <summary>Hashes <paramref name="data"/> and returns the 20-byte digest.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> data)
    {
        using var hash = new QuickXorHash();
        hash.Append(data);
        return hash.GetDigest();
    }

    /// <summary>Hashes <paramref name="data"/> and returns the digest as Graph shows it (Base64).</summary>
    public static string HashToBase64(ReadOnlySpan<byte> data) => Convert.ToBase64String(HashData(data));

    /// <summary>Hashes the rest of <paramref name="stream"/> and returns the Base64 digest.</summary>
    public static async Task<string> HashToBase64Async(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hash = new QuickXorHash();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.Append(buffer.AsSpan(0, read));
        }

        return Convert.ToBase64String(hash.GetDigest());
    }

    /// <summary>Adds bytes to the running hash (incremental API, no array copies).</summary>
    public void Append(ReadOnlySpan<byte> data) => HashCore(data);

    /// <summary>Returns the digest of everything appended so far and resets the state.</summary>
    public byte[] GetDigest()
    {
        var digest = HashFinal();
        Initialize();
        return digest;
    }

    /// <inheritdoc />
    public override void Initialize()
    {
        Array.Clear(_lanes);
        _position = 0;
        _length = 0;
    }

    /// <inheritdoc />
    protected override void HashCore(byte[] array, int ibStart, int cbSize) =>
        HashCore(array.AsSpan(ibStart, cbSize));

    /// <inheritdoc />
    protected override void HashCore(ReadOnlySpan<byte> source)
    {
        _length += source.Length;
        var lanes = MemoryMarshal.AsBytes(_lanes.AsSpan());
        var position = _position;

        // Align to a lane-ring boundary so the bulk loop can XOR whole 160-byte blocks.
        while (position != 0 && !source.IsEmpty)
        {
            lanes[position] ^= source[0];
            source = source[1..];
            position = position + 1 == LaneCount ? 0 : position + 1;
        }

        while (source.Length >= LaneCount)
        {
            var block = MemoryMarshal.Cast<byte, ulong>(source[..LaneCount]);
            for (var w = 0; w < LaneWords; w++)
            {
                _lanes[w] ^= block[w];
            }

            source = source[LaneCount..];
        }

        for (var i = 0; i < source.Length; i++)
        {
            lanes[position++] ^= source[i];
        }

        _position = position;
    }

    /// <inheritdoc />
    protected override byte[] HashFinal()
    {
        var digest = new byte[WidthInBits / 8];
        _ = TryHashFinal(digest, out _);
        return digest;
    }

    /// <inheritdoc />
    protected override bool TryHashFinal(Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < WidthInBits / 8)
        {
            bytesWritten = 0;
            return false;
        }

        // The 160-bit accumulator as bits 0..63, 64..127 and 128..159 (low 32 bits of the last cell).
        Span<ulong> cells = stackalloc ulong[3];
        cells.Clear();
        var lanes = MemoryMarshal.AsBytes(_lanes.AsSpan());
        for (var lane = 0; lane < LaneCount; lane++)
        {
            if (lanes[lane] != 0)
            {
                InsertByte(cells, lanes[lane], lane * ShiftPerByte % WidthInBits);
            }
        }

        BinaryPrimitives.WriteUInt64LittleEndian(destination, cells[0]);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], cells[1]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], (uint)cells[2]);

        Span<byte> length = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(length, _length);
        for (var i = 0; i < length.Length; i++)
        {
            destination[(WidthInBits / 8) - sizeof(long) + i] ^= length[i];
        }

        bytesWritten = WidthInBits / 8;
        return true;
    }

    /// <summary>XORs an 8-bit value into the 160-bit block at <paramref name="bit"/>, wrapping past bit 159.</summary>
    private static void InsertByte(Span<ulong> cells, byte value, int bit)
    {
        var cell = bit / 64;
        var offset = bit % 64;
        cells[cell] ^= (ulong)value << offset;
        if (cell < 2)
        {
            if (offset > 56)
            {
                cells[cell + 1] ^= (ulong)value >> (64 - offset);
            }
        }
        else
        {
            // The last cell is only 32 bits wide: bits shifted past bit 159 wrap to bit 0.
            if (offset > 24)
            {
                cells[0] ^= (ulong)value >> (32 - offset);
            }

            cells[2] &= 0xFFFF_FFFFUL;
        }
    }
}

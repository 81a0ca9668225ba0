using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// A 32-byte value written as 64 lowercase hex digits: the SHA-256 that names a repository object (chunk, pack,
/// index, tree, snapshot) or a file's content, or the repository's random id.
/// </summary>
/// <remarks>
/// Ordered like its bytes (so like its hex text, ordinal). <c>default</c> is the all-zero value. Immutable and
/// thread-safe.
/// </remarks>
public readonly struct ObjectId : IEquatable<ObjectId>, IComparable<ObjectId>
{
    /// <summary>The number of bytes.</summary>
    public const int ByteLength = 32;

    /// <summary>The number of hex digits of its text form.</summary>
    public const int HexLength = 64;

    // Big-endian words, so comparing them in order compares the bytes in order.
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private ObjectId(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
        _w3 = w3;
    }

    /// <summary>The id made of exactly <see cref="ByteLength"/> bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public static ObjectId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"an object id is {ByteLength} bytes, not {bytes.Length}", nameof(bytes));
        }

        return new ObjectId(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>The SHA-256 of <paramref name="content"/>.</summary>
    public static ObjectId Of(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[ByteLength];
        SHA256.HashData(content, hash);
        return FromBytes(hash);
    }

    /// <summary>Parses exactly 64 lowercase hex digits.</summary>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 64 lowercase hex digits.</exception>
    public static ObjectId Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryParse(hex, out var id) ? id : throw new FormatException($"'{hex}' is not {HexLength} lowercase hex digits");
    }

    /// <summary>Parses exactly 64 lowercase hex digits (upper case, spaces or a prefix are refused); false otherwise.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out ObjectId id)
    {
        id = default;
        if (hex.Length != HexLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[ByteLength];
        for (var i = 0; i < ByteLength; i++)
        {
            var high = Nibble(hex[2 * i]);
            var low = Nibble(hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }

            bytes[i] = (byte)((high << 4) | low);
        }

        id = FromBytes(bytes);
        return true;
    }

    /// <summary>Writes the 32 bytes to the start of <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>The 32 bytes.</summary>
    public byte[] ToByteArray()
    {
        var bytes = new byte[ByteLength];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>The 64 lowercase hex digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <inheritdoc/>
    public bool Equals(ObjectId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ObjectId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <inheritdoc/>
    public int CompareTo(ObjectId other)
    {
        var c = _w0.CompareTo(other._w0);
        if (c == 0)
        {
            c = _w1.CompareTo(other._w1);
        }

        if (c == 0)
        {
            c = _w2.CompareTo(other._w2);
        }

        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    /// <summary>Equal ids.</summary>
    public static bool operator ==(ObjectId left, ObjectId right) => left.Equals(right);

    /// <summary>Different ids.</summary>
    public static bool operator !=(ObjectId left, ObjectId right) => !left.Equals(right);

    /// <summary>Byte order.</summary>
    public static bool operator <(ObjectId left, ObjectId right) => left.CompareTo(right) < 0;

    /// <summary>Byte order.</summary>
    public static bool operator <=(ObjectId left, ObjectId right) => left.CompareTo(right) <= 0;

    /// <summary>Byte order.</summary>
    public static bool operator >(ObjectId left, ObjectId right) => left.CompareTo(right) > 0;

    /// <summary>Byte order.</summary>
    public static bool operator >=(ObjectId left, ObjectId right) => left.CompareTo(right) >= 0;

    private static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}

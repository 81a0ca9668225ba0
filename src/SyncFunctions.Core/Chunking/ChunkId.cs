using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace SyncFunctions.Core.Chunking;

/// <summary>
/// The text form of a chunk's SHA-256: 64 lower-case hex digits. Only lower case parses, so each chunk has one
/// spelling and ids compare as plain strings (as blob or file names on case-sensitive stores, too).
/// </summary>
public static class ChunkId
{
    /// <summary>The length of an id in characters.</summary>
    public const int Length = 2 * SHA256.HashSizeInBytes;

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>The id of a SHA-256: its 32 bytes as lower-case hex.</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 32 bytes long.</exception>
    public static string ToHex(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A SHA-256 is {SHA256.HashSizeInBytes} bytes long, not {sha256.Length}.", nameof(sha256));
        }

        return Convert.ToHexStringLower(sha256);
    }

    /// <summary>The SHA-256 an id spells, when <paramref name="id"/> is 64 lower-case hex digits.</summary>
    public static bool TryParse([NotNullWhen(true)] string? id, [NotNullWhen(true)] out byte[]? sha256)
    {
        sha256 = null;
        if (id is null || id.Length != Length || id.AsSpan().ContainsAnyExcept(LowerHex))
        {
            return false;
        }

        sha256 = Convert.FromHexString(id);
        return true;
    }

    /// <summary>The SHA-256 an id spells.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="id"/> is not 64 lower-case hex digits.</exception>
    public static byte[] Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return TryParse(id, out var sha256) ? sha256 : throw new FormatException($"'{id}' is not a chunk id ({Length} lower-case hex digits).");
    }
}

using System.Security.Cryptography;
using System.Text;

namespace SyncFunctions.Azure;

/// <summary>
/// Encodes relative paths as Table Storage keys, preserving ordinal order.
/// </summary>
/// <remarks>
/// Keys cannot hold <c>/ \ # ?</c> or control characters. Each UTF-16 code unit is mapped by a
/// prefix-free code whose lexicographic order equals the code units' numeric order, so
/// <c>Compare(Encode(a), Encode(b)) == CompareOrdinal(a, b)</c> for every pair of paths:
/// <list type="bullet">
/// <item>U+0000..U+002F (controls, space, <c>!"#$%&amp;'()*+,-./</c>) become <c>!</c> + (U+00A0 + c);</item>
/// <item><c>&gt;</c> and <c>?</c> become <c>&gt;</c> + U+00A0 / U+00A1;</item>
/// <item><c>[</c> and <c>\</c> become <c>[</c> + U+00A0 / U+00A1;</item>
/// <item><c>~</c> and U+007F..U+009F become <c>~</c> + (U+00A0 + c - 0x7E);</item>
/// <item>everything else stands for itself.</item>
/// </list>
/// A lead character (<c>! &gt; [ ~</c>) never stands alone, which makes the code prefix-free.
/// Keys longer than <see cref="MaxKeyLength"/> cannot be stored; <see cref="OverflowKey"/> gives a hashed key for them.
/// </remarks>
public static class TableKeyCodec
{
    /// <summary>Table keys hold at most 1 KiB; counted as UTF-16 that is 512 characters.</summary>
    public const int MaxKeyLength = 512;

    private const char Shift = '\u00A0';

    public static string Encode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var sb = new StringBuilder(path.Length + 8);
        foreach (var c in path)
        {
            switch (c)
            {
                case <= '/':
                    sb.Append('!').Append((char)(Shift + c));
                    break;
                case '>':
                case '?':
                    sb.Append('>').Append((char)(Shift + (c - '>')));
                    break;
                case '[':
                case '\\':
                    sb.Append('[').Append((char)(Shift + (c - '[')));
                    break;
                case >= '~' and <= '\u009F':
                    sb.Append('~').Append((char)(Shift + (c - '~')));
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    public static string Decode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var sb = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c is '!' or '>' or '[' or '~')
            {
                if (i + 1 >= key.Length)
                {
                    throw new FormatException($"Truncated escape at the end of table key '{key}'.");
                }

                var offset = key[++i] - Shift;
                var baseChar = c == '!' ? 0 : c;
                sb.Append((char)(baseChar + offset));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>True when the encoded path fits in a table key.</summary>
    public static bool Fits(string encoded) => encoded.Length <= MaxKeyLength;

    /// <summary>A fixed-length key for a path too long to encode: hex SHA-256 of its UTF-8 bytes.</summary>
    public static string OverflowKey(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)));
}

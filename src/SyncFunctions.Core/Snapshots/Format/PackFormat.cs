namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// The pack format, version 1: many chunks in one blob, with a footer that lists them, readable from the tail.
/// </summary>
/// <remarks>
/// <para>All integers are little-endian and unsigned; offsets count from the pack's first byte.</para>
/// <code>
/// header   "SFPK" (53 46 50 4B) | version u8 = 1                                     5 bytes
/// data     each chunk's stored bytes, back to back, in footer order, from offset 5
/// footer   version u8 = 1 | count u32 | count x entry                                5 + 45 * count bytes
///   entry  chunk id (32, SHA-256 of the raw chunk) | offset u32 | stored length u32 | raw length u32 | flags u8
/// trailer  SHA-256 of the footer (32) | footer length u32 | "SFPK"                   40 bytes
/// </code>
/// <para>
/// Flags: 0 = stored raw (stored length = raw length), 1 = one zstd frame (stored length &lt; raw length); a chunk is
/// compressed exactly when that is smaller. Entries are in data order, cover the data without gaps, and name each
/// chunk once; a pack holds at least one chunk, each of 1..<see cref="MaxChunkLength"/> bytes.
/// </para>
/// <para>
/// The pack id is the SHA-256 of the whole pack. A reader with only a range API reads the last
/// <see cref="TrailerLength"/> bytes (or more, e.g. 64 KiB), learns the footer length, reads the footer and then
/// each chunk's stored range.
/// </para>
/// </remarks>
public static class PackFormat
{
    /// <summary>The format version written and read.</summary>
    public const byte Version = 1;

    /// <summary>The length of the header ("SFPK" and the version): the offset of the first chunk.</summary>
    public const int HeaderLength = 5;

    /// <summary>The length of one footer entry.</summary>
    public const int EntryLength = 45;

    /// <summary>The length of the fixed trailer at the very end (footer checksum, footer length, magic).</summary>
    public const int TrailerLength = 40;

    /// <summary>The longest chunk (raw).</summary>
    public const int MaxChunkLength = 64 * 1024 * 1024;

    /// <summary>The longest pack (so every offset and length fits a u32 and a pack fits one array).</summary>
    public const int MaxPackLength = 1024 * 1024 * 1024;

    /// <summary>The pack writers' default target length.</summary>
    public const int DefaultTargetLength = 16 * 1024 * 1024;

    /// <summary>The shortest valid pack: header, a footer of one entry, trailer (and at least one byte of data).</summary>
    public const int MinPackLength = HeaderLength + 1 + FooterFixedLength + EntryLength + TrailerLength;

    /// <summary>The part of the footer before its entries: version u8 and count u32.</summary>
    internal const int FooterFixedLength = 5;

    /// <summary>The stored-raw flag.</summary>
    internal const byte FlagRaw = 0;

    /// <summary>The zstd flag.</summary>
    internal const byte FlagZstd = 1;

    /// <summary>"SFPK".</summary>
    internal static ReadOnlySpan<byte> Magic => "SFPK"u8;
}

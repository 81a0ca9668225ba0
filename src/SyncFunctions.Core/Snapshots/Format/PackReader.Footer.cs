using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SyncFunctions.Core.Snapshots.Format;

public sealed partial class PackReader
{
    /// <summary>The footer length the trailer at the end of <paramref name="tail"/> gives, checked against the pack's length.</summary>
    private static int TrailerFooterLength(string name, long packLength, ReadOnlySpan<byte> tail)
    {
        if (packLength > PackFormat.MaxPackLength)
        {
            throw Damaged(name, FormatDamage.Malformed, $"{packLength} bytes, longer than a pack can be ({PackFormat.MaxPackLength})");
        }

        if (packLength < PackFormat.MinPackLength)
        {
            throw Damaged(name, FormatDamage.Truncated, $"only {packLength} bytes");
        }

        var trailer = tail[^PackFormat.TrailerLength..];
        if (!trailer[36..].SequenceEqual(PackFormat.Magic))
        {
            throw Damaged(name, FormatDamage.BadMagic, "does not end with \"SFPK\"");
        }

        var footerLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer[32..]);
        if (footerLength < PackFormat.FooterFixedLength + PackFormat.EntryLength
            || (footerLength - PackFormat.FooterFixedLength) % PackFormat.EntryLength != 0)
        {
            throw Damaged(name, FormatDamage.Malformed, $"footer length {footerLength} is not {PackFormat.FooterFixedLength} + {PackFormat.EntryLength} per entry");
        }

        // The header and at least one byte of data come before the footer.
        if (footerLength > packLength - PackFormat.TrailerLength - PackFormat.HeaderLength - 1)
        {
            throw Damaged(name, FormatDamage.Truncated, $"a footer of {footerLength} bytes does not fit in {packLength} bytes");
        }

        return (int)footerLength;
    }

    private static (ValueList<PackEntry> Entries, Dictionary<ObjectId, int> ById) ReadFooter(string name, long packLength, ReadOnlySpan<byte> tail)
    {
        var footerLength = TrailerFooterLength(name, packLength, tail);
        if (tail.Length < footerLength + PackFormat.TrailerLength)
        {
            throw new ArgumentException($"the tail is {tail.Length} bytes; the footer and trailer need {footerLength + PackFormat.TrailerLength}", nameof(tail));
        }

        var trailer = tail[^PackFormat.TrailerLength..];
        var footer = tail.Slice(tail.Length - PackFormat.TrailerLength - footerLength, footerLength);
        Span<byte> checksum = stackalloc byte[32];
        SHA256.HashData(footer, checksum);
        if (!checksum.SequenceEqual(trailer[..32]))
        {
            throw Damaged(name, FormatDamage.ChecksumMismatch, "footer checksum mismatch");
        }

        if (footer[0] != PackFormat.Version)
        {
            throw UnknownVersion(name, footer[0]);
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(footer[1..]);
        var expected = (footerLength - PackFormat.FooterFixedLength) / PackFormat.EntryLength;
        if (count != expected)
        {
            throw Damaged(name, FormatDamage.Malformed, $"footer says {count} entries but holds {expected}");
        }

        var dataEnd = packLength - PackFormat.TrailerLength - footerLength;
        var entries = new PackEntry[count];
        var byId = new Dictionary<ObjectId, int>((int)count);
        long next = PackFormat.HeaderLength;
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = ReadEntry(name, i, footer.Slice(PackFormat.FooterFixedLength + (i * PackFormat.EntryLength), PackFormat.EntryLength));
            if (entry.Offset != next || entry.End > dataEnd)
            {
                throw Damaged(name, FormatDamage.Malformed, $"entry {i} (chunk {entry.ChunkId}) at {entry.Offset}..{entry.End} does not follow at {next} within the data (ending at {dataEnd})");
            }

            if (!byId.TryAdd(entry.ChunkId, i))
            {
                throw Damaged(name, FormatDamage.Malformed, $"entries {byId[entry.ChunkId]} and {i} both hold chunk {entry.ChunkId}");
            }

            entries[i] = entry;
            next = entry.End;
        }

        if (next != dataEnd)
        {
            throw Damaged(name, FormatDamage.Malformed, $"the entries end at {next} but the data ends at {dataEnd}");
        }

        return (ValueList<PackEntry>.Wrap(entries), byId);
    }

    private static PackEntry ReadEntry(string name, int index, ReadOnlySpan<byte> bytes)
    {
        var id = ObjectId.FromBytes(bytes[..32]);
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]);
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[36..]);
        var raw = BinaryPrimitives.ReadUInt32LittleEndian(bytes[40..]);
        var flags = bytes[44];
        if (flags is not (PackFormat.FlagRaw or PackFormat.FlagZstd))
        {
            throw Damaged(name, FormatDamage.Malformed, $"entry {index} (chunk {id}) has unknown flags {flags}");
        }

        if (stored > PackFormat.MaxPackLength || raw > PackFormat.MaxChunkLength)
        {
            throw Damaged(name, FormatDamage.Malformed, $"entry {index} (chunk {id}) has lengths {stored} stored, {raw} raw, beyond any pack");
        }

        var entry = new PackEntry(id, offset, (int)stored, (int)raw, flags == PackFormat.FlagZstd);
        return entry.Problem() is { } problem ? throw Damaged(name, FormatDamage.Malformed, $"entry {index} (chunk {id}): {problem}") : entry;
    }
}

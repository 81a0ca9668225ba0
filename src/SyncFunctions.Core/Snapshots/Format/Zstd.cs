using System.Buffers;
using System.Globalization;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// The zstd of the stored formats: one frame, level <see cref="Level"/>, content size in the header, no checksum
/// (ids and chunk hashes check the content). Decompression failures become <see cref="RepositoryFormatException"/>.
/// </summary>
/// <remarks>
/// Compression is deterministic for a given level and ZstdSharp version (the golden tests pin it); readers never
/// depend on that, only ids of newly written trees and indexes do.
/// </remarks>
internal static class Zstd
{
    /// <summary>The compression level of everything written (zstd's default).</summary>
    public const int Level = 3;

    // A frame may ask for a window of up to 2^27 bytes; level 3 uses at most 2^21, so 2^23 leaves room and stops
    // a damaged header from making a decoder allocate 128 MiB.
    private const int WindowLogMax = 23;

    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    public static byte[] Compress(ReadOnlySpan<byte> raw) => Compressor().Wrap(raw).ToArray();

    /// <summary>The compressed form of <paramref name="raw"/> when it is shorter, else null.</summary>
    public static byte[]? CompressIfSmaller(ReadOnlySpan<byte> raw)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ZstdSharp.Compressor.GetCompressBound(raw.Length));
        try
        {
            var length = Compressor().Wrap(raw, buffer);
            return length < raw.Length ? buffer.AsSpan(0, length).ToArray() : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decompresses one chunk whose raw length is known into exactly <paramref name="destination"/>.</summary>
    /// <returns>Null on success, else what is wrong.</returns>
    public static string? DecompressExact(ReadOnlySpan<byte> stored, Span<byte> destination)
    {
        try
        {
            if (!Decompressor().TryUnwrap(stored, destination, out var written))
            {
                return "stored data decompresses to more than its raw length";
            }

            return written == destination.Length
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"stored data decompresses to {written} bytes, not its raw length {destination.Length}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not only ZstdException: whatever a port of C code may throw on hostile bytes must stay inside the format.
            return "stored data does not decompress (" + e.Message + ")";
        }
    }

    /// <summary>Decompresses a stored tree or index of at most <paramref name="maxLength"/> bytes.</summary>
    public static byte[] Decompress(string objectName, ReadOnlyMemory<byte> stored, int maxLength)
    {
        if (stored.IsEmpty)
        {
            throw new RepositoryFormatException(objectName, FormatDamage.Truncated, "empty");
        }

        try
        {
            using var input = AsStream(stored);
            using var zstd = new DecompressionStream(input, checkEndOfStream: true);
            zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, WindowLogMax);
            using var output = new MemoryStream();
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int read;
                while ((read = zstd.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (output.Length + read > maxLength)
                    {
                        throw new RepositoryFormatException(objectName, FormatDamage.Malformed,
                            string.Create(CultureInfo.InvariantCulture, $"decompresses to more than {maxLength} bytes"));
                    }

                    output.Write(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return output.ToArray();
        }
        catch (EndOfStreamException e)
        {
            throw new RepositoryFormatException(objectName, FormatDamage.Truncated, "compressed data ends early", e);
        }
        catch (ZstdException e)
        {
            throw new RepositoryFormatException(objectName, Damage(e.Code), "compressed data is damaged (" + e.Message + ")", e);
        }
        catch (Exception e) when (e is not (RepositoryFormatException or OutOfMemoryException))
        {
            throw new RepositoryFormatException(objectName, FormatDamage.Malformed, "compressed data is damaged (" + e.Message + ")", e);
        }
    }

    private static FormatDamage Damage(ZSTD_ErrorCode code) => code switch
    {
        ZSTD_ErrorCode.ZSTD_error_prefix_unknown => FormatDamage.BadMagic,
        ZSTD_ErrorCode.ZSTD_error_srcSize_wrong => FormatDamage.Truncated,
        _ => FormatDamage.Malformed,
    };

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private static Compressor Compressor() => t_compressor ??= new Compressor(Level);

    private static Decompressor Decompressor() => t_decompressor ??= new Decompressor();
}

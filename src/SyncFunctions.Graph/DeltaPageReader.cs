using System.Buffers;

namespace SyncFunctions.Graph;

/// <summary>
/// Reads a delta response body from its stream into a <see cref="DeltaPage"/> through one pooled buffer that holds
/// at most the unread part of one record (grown only for a record larger than the buffer).
/// </summary>
/// <remarks>
/// Why not the SDK model: it builds a full DriveItem graph (with additional-data dictionaries) per record; reading a
/// 100,000-item drive's delta that way took 5-15 CPU-seconds and allocated 3.5 GB, against about 1 CPU-second and
/// 125 MB reading the few fields the engine needs straight from UTF-8. Thread-safe (no shared state).
/// </remarks>
internal static class DeltaPageReader
{
    private const int InitialBufferSize = 64 * 1024;

    /// <summary>How much to read before parsing again, so a record split across reads is re-scanned rarely.</summary>
    private const int ReadChunk = 16 * 1024;

    /// <summary>Reads <paramref name="body"/> to its end.</summary>
    /// <returns>The page; null when the body is empty (the SDK returned no model for that either).</returns>
    /// <exception cref="System.Text.Json.JsonException">Malformed JSON.</exception>
    /// <exception cref="Abstractions.StorageException">Permanent: a record without an id.</exception>
    public static async Task<DeltaPage?> ReadAsync(Stream body, string rootFolderId, CancellationToken cancellationToken)
    {
        var parser = new DeltaPageParser(rootFolderId);
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        var length = 0;
        var started = false;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    buffer = Grow(buffer, length);
                }

                var wanted = Math.Min(buffer.Length - length, ReadChunk);
                var read = await body.ReadAtLeastAsync(buffer.AsMemory(length), wanted, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                length += read;
                started |= length > 0;

                // Fewer bytes than asked for only at the end of the stream.
                var isFinal = read < wanted;
                if (isFinal && !started)
                {
                    return null;
                }

                var consumed = parser.Parse(buffer.AsSpan(0, length), isFinal);
                if (isFinal)
                {
                    return parser.Page;
                }

                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int length)
    {
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}

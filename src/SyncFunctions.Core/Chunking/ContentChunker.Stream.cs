using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace SyncFunctions.Core.Chunking;

public static partial class ContentChunker
{
    /// <summary>
    /// Reads <paramref name="source"/> to its end and yields its chunks in order, each with its offset, bytes and
    /// SHA-256: the same boundaries as applying <see cref="FindBoundary"/> to the whole input again and again,
    /// however the stream splits its reads. An empty stream yields nothing; one shorter than
    /// <see cref="ChunkerOptions.Min"/> yields one chunk.
    /// </summary>
    /// <remarks>
    /// A chunk's <see cref="ContentChunk.Data"/> lies in the reader's one buffer (about twice
    /// <see cref="ChunkerOptions.Max"/>, from a pool of large buffers): it is valid only until the next
    /// <c>MoveNextAsync</c> or the enumerator's disposal; copy the bytes to keep them. The stream is not disposed.
    /// One enumeration reads the stream; enumerate once per stream.
    /// </remarks>
    /// <param name="source">The input, read from its current position.</param>
    /// <param name="options">The chunk sizes.</param>
    /// <param name="cancellationToken">Cancels the reads and the chunking (with <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> cannot be read, or <paramref name="options"/> have a <see cref="ChunkerOptions.Problem"/>.</exception>
    public static IAsyncEnumerable<ContentChunk> ChunkAsync(Stream source, ChunkerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfUnusable(options);
        if (!source.CanRead)
        {
            throw new ArgumentException("The stream to chunk cannot be read.", nameof(source));
        }

        return ChunkStreamAsync(source, options, cancellationToken);
    }

    private static async IAsyncEnumerable<ContentChunk> ChunkStreamAsync(Stream source, ChunkerOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = LargeBuffers.Pool.Rent(2 * options.Max);
        try
        {
            var start = 0;
            var filled = 0;
            var ended = false;
            var offset = 0L;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // FindBoundary needs Max bytes, or all that is left, to cut where it would on the whole input.
                if (!ended && filled - start < options.Max)
                {
                    buffer.AsSpan(start, filled - start).CopyTo(buffer);
                    filled -= start;
                    start = 0;
                    while (!ended && filled < options.Max)
                    {
                        var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                        ended = read == 0;
                        filled += read;
                    }
                }

                if (start == filled)
                {
                    yield break;
                }

                var data = buffer.AsMemory(start, FindBoundary(buffer.AsSpan(start, filled - start), options));
                yield return new ContentChunk(offset, data, SHA256.HashData(data.Span));
                start += data.Length;
                offset += data.Length;
            }
        }
        finally
        {
            LargeBuffers.Pool.Return(buffer);
        }
    }
}

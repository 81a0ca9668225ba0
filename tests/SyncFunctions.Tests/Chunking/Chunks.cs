using System.Security.Cryptography;
using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Chunking;

/// <summary>A chunk as the tests compare it: its place, and the hex SHA-256 of its bytes.</summary>
internal sealed record ChunkRecord(long Offset, int Length, string Sha256);

/// <summary>Cuts inputs both ways the chunker offers: <see cref="ContentChunker.FindBoundary"/> applied again and again, and the stream reader.</summary>
internal static class Chunks
{
    /// <summary>The chunk lengths of <paramref name="data"/>, by <see cref="ContentChunker.FindBoundary"/> on the rest of the input each time.</summary>
    public static List<int> Lengths(ReadOnlySpan<byte> data, ChunkerOptions options)
    {
        var lengths = new List<int>();
        for (var at = 0; at < data.Length;)
        {
            var length = ContentChunker.FindBoundary(data[at..], options);
            lengths.Add(length);
            at += length;
        }

        return lengths;
    }

    /// <summary>The chunks of <paramref name="data"/> by <see cref="ContentChunker.FindBoundary"/>, hashed here.</summary>
    public static List<ChunkRecord> BySpan(byte[] data, ChunkerOptions options)
    {
        var chunks = new List<ChunkRecord>();
        var at = 0L;
        foreach (var length in Lengths(data, options))
        {
            chunks.Add(new ChunkRecord(at, length, Convert.ToHexStringLower(SHA256.HashData(data.AsSpan((int)at, length)))));
            at += length;
        }

        return chunks;
    }

    /// <summary>
    /// The chunks the stream reader yields for <paramref name="source"/>, checking on the way that each chunk's
    /// <see cref="ContentChunk.Sha256"/> is the hash of its <see cref="ContentChunk.Data"/>; <paramref name="bytes"/>
    /// gets the chunks' bytes, concatenated.
    /// </summary>
    public static async Task<List<ChunkRecord>> ByStreamAsync(Stream source, ChunkerOptions options, MemoryStream? bytes = null)
    {
        var chunks = new List<ChunkRecord>();
        await foreach (var chunk in ContentChunker.ChunkAsync(source, options))
        {
            Assert.Equal(chunk.Length, chunk.Data.Length);
            Assert.Equal(SHA256.HashData(chunk.Data.Span), chunk.Sha256);
            bytes?.Write(chunk.Data.Span);
            chunks.Add(new ChunkRecord(chunk.Offset, chunk.Length, ObjectId.FromBytes(chunk.Sha256).ToString()));
        }

        return chunks;
    }
}

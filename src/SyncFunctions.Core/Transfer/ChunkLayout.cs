using System.Security.Cryptography;
using System.Text;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Transfer;

/// <summary>
/// How a large file is cut into staged chunks: the chunk size (the run's, grown when the file would need more chunks
/// than the destination allows) and the chunk ids. Every worker that stages part of the file derives the same layout.
/// </summary>
internal sealed record ChunkLayout(long Size, long ChunkSize, int Count, IReadOnlyList<string> Ids)
{
    public static ChunkLayout For(ActionRecord a, StepContext ctx)
    {
        var writer = ctx.Destination.GetCapability<IChunkedWriter>() ?? throw new InvalidOperationException($"{ctx.Destination.DisplayName} does not stage chunks");
        return For(a.SourceVersion, a.SourceSize, ctx.Options.ChunkSize, writer.MaxChunkCount);
    }

    public static ChunkLayout For(string? sourceVersion, long size, long chunkSize, int maxChunks)
    {
        var chunk = EffectiveChunkSize(size, chunkSize, maxChunks);
        var count = (int)((size + chunk - 1) / chunk);
        return new ChunkLayout(size, chunk, count, ChunkIds(sourceVersion, size, chunk, count));
    }

    /// <summary>The first chunk and chunk count of range <paramref name="index"/> (<paramref name="perRange"/> chunks each).</summary>
    public (int First, int Count) RangeChunks(int index, int perRange)
    {
        var first = index * perRange;
        return (first, Math.Max(0, Math.Min(perRange, Count - first)));
    }

    public long OffsetOf(int chunk) => chunk * ChunkSize;

    public int LengthOf(int chunk) => (int)Math.Min(ChunkSize, Size - OffsetOf(chunk));

    public long BytesOf(int first, int count) => count == 0 ? 0 : Math.Min(Size, OffsetOf(first + count)) - OffsetOf(first);

    /// <summary>
    /// Chunk ids are derived from the source version and the chunk layout, so chunks staged for another
    /// version of the file (or another chunk size) are never reused, and all ids have the same length.
    /// </summary>
    public static IReadOnlyList<string> ChunkIds(string? sourceVersion, long size, long chunkSize, int count)
    {
        var seed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{sourceVersion}|{size}|{chunkSize}")))[..16];
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{seed}-{i:D6}"));
        }

        return ids;
    }

    /// <summary>Chunk size actually used: the configured one, grown when the file would need too many chunks.</summary>
    public static long EffectiveChunkSize(long size, long chunkSize, int maxChunks)
    {
        var needed = (size + maxChunks - 1) / maxChunks;
        return needed <= chunkSize ? chunkSize : (needed + (1 << 20) - 1) / (1 << 20) * (1 << 20);
    }
}

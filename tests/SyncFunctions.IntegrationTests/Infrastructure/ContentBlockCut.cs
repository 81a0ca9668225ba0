using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Transfer;

namespace SyncFunctions.IntegrationTests.Infrastructure;

/// <summary>What a large file's content-defined block list should be, computed here from its bytes.</summary>
internal static class ContentBlockCut
{
    /// <summary>The block ids and lengths <paramref name="content"/> is cut into: each segment on its own, by the layout's chunker.</summary>
    public static async Task<List<(string Id, int Length)>> OfAsync(byte[] content, long segmentSize)
    {
        var layout = ContentBlockLayout.For(content.Length, segmentSize, 50_000)!;
        var blocks = new List<(string, int)>();
        for (var s = 0; s < layout.Segments; s++)
        {
            var (offset, length) = layout.Segment(s);
            using var segment = new MemoryStream(content, (int)offset, (int)length, writable: false);
            await foreach (var chunk in ContentChunker.ChunkAsync(segment, layout.Chunker))
            {
                blocks.Add((ContentBlockLayout.BlockId(chunk.Sha256), chunk.Length));
            }
        }

        return blocks;
    }
}

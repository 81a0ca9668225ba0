using System.Security.Cryptography;
using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Tests.Chunking;

/// <summary>The stream reader's edges: empty and short inputs, hashes and offsets, arguments, cancellation.</summary>
public sealed class ContentChunkerStreamTests
{
    private static readonly ChunkerOptions Small = new(256, 1 << 10, 8 << 10);

    [Fact]
    public async Task ChunkAsync_EmptyStream_YieldsNothing() =>
        Assert.Empty(await Chunks.ByStreamAsync(new MemoryStream(), Small));

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(256)]
    public async Task ChunkAsync_AtMostMin_YieldsOneChunkOfItAll(int length)
    {
        var data = TestInput.Random(8, length);

        var chunk = Assert.Single(await Chunks.ByStreamAsync(new ShortReadStream(data, [7]), Small));

        Assert.Equal(new ChunkRecord(0, length, Convert.ToHexStringLower(SHA256.HashData(data))), chunk);
    }

    [Fact]
    public async Task ChunkAsync_RandomInput_YieldsOffsetsLengthsAndHashesOfTheSpanCut()
    {
        var data = TestInput.Random(9, 200_000);
        var bytes = new MemoryStream();

        var chunks = await Chunks.ByStreamAsync(new MemoryStream(data), Small, bytes);

        Assert.Equal(Chunks.BySpan(data, Small), chunks);
        Assert.Equal(data, bytes.ToArray());
    }

    [Fact]
    public async Task ChunkAsync_StreamNotAtItsStart_ChunksTheRestFromOffsetZero()
    {
        var data = TestInput.Random(10, 50_000);
        var stream = new MemoryStream(data) { Position = 1000 };

        var chunks = await Chunks.ByStreamAsync(stream, Small);

        Assert.Equal(Chunks.BySpan(data[1000..], Small), chunks);
    }

    [Fact]
    public async Task ChunkAsync_ChunkData_IsValidUntilTheNextMove()
    {
        var data = TestInput.Random(11, 100_000);
        var copies = new List<byte[]>();

        await foreach (var chunk in ContentChunker.ChunkAsync(new ShortReadStream(data, [3000, 1]), Small))
        {
            Assert.Equal(data.AsSpan((int)chunk.Offset, chunk.Length), chunk.Data.Span);
            copies.Add(chunk.Data.ToArray());
        }

        Assert.Equal(data, copies.SelectMany(c => c));
    }

    [Fact]
    public void ChunkAsync_BadArguments_ThrowAtTheCall()
    {
        using var unreadable = new MemoryStream();
        unreadable.Dispose();

        Assert.Throws<ArgumentNullException>(() => ContentChunker.ChunkAsync(null!, Small));
        Assert.Throws<ArgumentNullException>(() => ContentChunker.ChunkAsync(new MemoryStream(), null!));
        Assert.Throws<ArgumentException>(() => ContentChunker.ChunkAsync(new MemoryStream(), new ChunkerOptions(32, 64, 128)));
        Assert.Throws<ArgumentException>(() => ContentChunker.ChunkAsync(unreadable, Small));
    }

    [Fact]
    public async Task ChunkAsync_TokenCancelledMidway_StopsWithOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in ContentChunker.ChunkAsync(new MemoryStream(TestInput.Random(12, 100_000)), Small, cancel.Token))
            {
                if (++seen == 3)
                {
                    await cancel.CancelAsync();
                }
            }
        });
        Assert.Equal(3, seen);
    }

    [Fact]
    public async Task ChunkAsync_TokenFromWithCancellation_IsObserved()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in ContentChunker.ChunkAsync(new MemoryStream(new byte[10]), Small).WithCancellation(cancel.Token))
            {
                Assert.Fail("no chunk after cancellation");
            }
        });
    }

    [Fact]
    public async Task ChunkAsync_Stream_IsLeftOpen()
    {
        var stream = new MemoryStream(TestInput.Random(13, 5000));

        await Chunks.ByStreamAsync(stream, Small);

        Assert.True(stream.CanRead);
        Assert.Equal(5000, stream.Position);
    }
}

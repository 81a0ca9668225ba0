using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph.Tests;

public sealed class SliceStreamTests
{
    private static readonly byte[] Data = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void Read_SkipAndLength_ReturnsThatSliceSynchronously()
    {
        using var slice = new SliceStream(new MemoryStream(Data), 100_000, 5, "test", TimeProvider.System);
        using var buffer = new MemoryStream();

        slice.CopyTo(buffer);

        Assert.Equal(Data[100_000..100_005], buffer.ToArray());
    }

    [Fact]
    public async Task ReadAsync_SkipPastTheEnd_ReturnsNothing()
    {
        await using var slice = new SliceStream(new MemoryStream(Data), 300_000, null, "test", TimeProvider.System);

        Assert.Equal(0, await slice.ReadAsync(new byte[10]));
    }

    [Fact]
    public async Task ReadAsync_InnerFailsMidStream_ThrowsTransient()
    {
        await using var slice = new SliceStream(new FailingStream(), 0, null, "download 'x'", TimeProvider.System);

        var error = await Assert.ThrowsAsync<StorageException>(async () => await slice.ReadExactlyAsync(new byte[10]));

        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        Assert.Contains("download 'x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_LeaveOpen_KeepsTheInnerStreamUsable()
    {
        var inner = new MemoryStream(Data);

        await new SliceStream(inner, 0, 10, "test", TimeProvider.System, leaveOpen: true).DisposeAsync();

        Assert.True(inner.CanRead);
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("connection reset");
    }
}

using System.Security.Cryptography;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Tests.Stores;

public sealed class HashingReadStreamTests
{
    [Fact]
    public async Task GetHashHex_AfterCopyingToTheEnd_IsTheSha256OfTheContent()
    {
        var content = new byte[300_000];
        new Random(7).NextBytes(content);
        using var hashing = new HashingReadStream(new MemoryStream(content));
        using var sink = new MemoryStream();

        await hashing.CopyToAsync(sink);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), hashing.GetHashHex());
        Assert.Equal((content.Length, true), (hashing.BytesRead, hashing.Completed));
        Assert.Equal(content, sink.ToArray());
    }

    [Fact]
    public void GetHashHex_SynchronousSmallReads_HashesEveryByte()
    {
        var content = "The quick brown fox"u8.ToArray();
        using var hashing = new HashingReadStream(new MemoryStream(content));
        var buffer = new byte[3];

        while (hashing.Read(buffer, 0, buffer.Length) > 0)
        {
        }

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), hashing.GetHashHex());
    }

    [Fact]
    public async Task ComputeHexAsync_EmptyStream_IsTheHashOfNothing()
    {
        Assert.Equal(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            await HashingReadStream.ComputeHexAsync(new MemoryStream(), CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_AfterTheHashWasTaken_Throws()
    {
        using var hashing = new HashingReadStream(new MemoryStream([1, 2, 3, 4]));
        var buffer = new byte[2];
        await hashing.ReadExactlyAsync(buffer);
        hashing.GetHashHex();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await hashing.ReadExactlyAsync(buffer));
    }
}

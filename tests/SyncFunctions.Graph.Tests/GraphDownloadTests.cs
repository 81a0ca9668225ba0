using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests;

/// <summary>Downloads: /content's 302, Range resume, expired download URLs, servers that ignore Range.</summary>
public sealed class GraphDownloadTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task OpenReadAsync_ResumeAfterPartialRead_ReturnsExactlyTheRest()
    {
        await using var host = await DedicatedServer.StartAsync();
        var content = Bytes(700_000, 1);
        host.Drive.WriteFile("big.bin", content);
        var store = host.Store();

        // A first attempt that stops part-way (a crash), then a resume at the received length.
        var received = new byte[250_001];
        await using (var first = await store.OpenReadAsync("big.bin", 0, null, Ct))
        {
            await first.ReadExactlyAsync(received);
        }

        await using var rest = await store.OpenReadAsync("big.bin", received.Length, null, Ct);
        using var buffer = new MemoryStream();
        buffer.Write(received);
        await rest.CopyToAsync(buffer);

        Assert.Equal(content, buffer.ToArray());
        Assert.Equal(2, host.Server.RequestLog.Count(GraphRoute.Content));
        Assert.Equal(2, host.Server.RequestLog.Count(GraphRoute.Download));
    }

    [Fact]
    public async Task OpenReadAsync_DownloadUrlExpired_FetchesContentAgainOnce()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2024-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var lifetime = TimeSpan.FromMinutes(5);
        Uri? contentHost = null;
        var expired = 0;
        await using var host = await DedicatedServer.StartAsync(
            o =>
            {
                o.TimeProvider = clock;
                o.DownloadUrlLifetime = lifetime;
            },
            async (request, send) =>
            {
                // The first download URL ages past its lifetime between the 302 and its use.
                if (request.RequestUri!.Port == contentHost!.Port && Interlocked.Exchange(ref expired, 1) == 0)
                {
                    clock.Advance(lifetime + TimeSpan.FromMinutes(1));
                }

                return await send();
            });
        contentHost = host.Server.ContentBaseUrl;
        var content = Bytes(10_000, 2);
        host.Drive.WriteFile("f.bin", content);

        await using var stream = await host.Store().OpenReadAsync("f.bin", 100, 900, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);

        Assert.Equal(content[100..1000], buffer.ToArray());
        Assert.Equal(2, host.Server.RequestLog.Count(GraphRoute.Content));
        Assert.Equal(2, host.Server.RequestLog.Count(GraphRoute.Download));
    }

    [Fact]
    public async Task OpenReadAsync_ServerIgnoresRange_SkipsToTheOffsetItself()
    {
        await using var host = await DedicatedServer.StartAsync(intercept: (request, send) =>
        {
            request.Headers.Range = null; // a download host that answers 200 with the whole file
            return send();
        });
        var content = Bytes(50_000, 3);
        host.Drive.WriteFile("f.bin", content);

        await using var stream = await host.Store().OpenReadAsync("f.bin", 12_345, 1000, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);

        Assert.Equal(content[12_345..13_345], buffer.ToArray());
    }

    [Fact]
    public async Task OpenReadAsync_OffsetAtEnd_ReturnsEmpty()
    {
        await using var host = await DedicatedServer.StartAsync();
        host.Drive.WriteFile("f.bin", Bytes(10, 4));

        await using var stream = await host.Store().OpenReadAsync("f.bin", 10, null, Ct);

        Assert.Equal(-1, stream.ReadByte());
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

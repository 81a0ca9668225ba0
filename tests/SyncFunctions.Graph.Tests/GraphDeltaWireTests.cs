using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests;

/// <summary>Delta requests through the SDK and the streamed body: what is sent, and how failures are classified.</summary>
public sealed class GraphDeltaWireTests
{
    private const string Prefer = "deltashowremovedasdeleted, deltatraversepermissiongaps";

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task ReadChangesAsync_EveryPage_SendsPreferAndTheFirstSelectsAndPagesThroughTheSdk()
    {
        var sent = new List<(Uri Url, string? Prefer, string? Accept)>();
        await using var host = await DedicatedServer.StartAsync(intercept: (request, send) =>
        {
            if (IsDelta(request))
            {
                lock (sent)
                {
                    sent.Add((request.RequestUri!, Header(request.Headers, "Prefer"), Header(request.Headers, "Accept")));
                }
            }

            return send();
        });
        for (var i = 0; i < 10; i++)
        {
            host.Drive.WriteFile($"f{i}.txt", [(byte)i]);
        }

        var store = host.Store(options: new GraphDriveStoreOptions { DeltaPageSize = 4 });
        var links = new List<string>();
        string? link = null;
        do
        {
            var page = await store.ReadChangesAsync(link, Ct);
            link = page.NextLink;
            links.Add(page.NextLink ?? page.DeltaLink!);
        }
        while (link is not null);

        Assert.True(sent.Count >= 3, $"{sent.Count} pages");
        Assert.All(sent, r => Assert.Equal(Prefer, r.Prefer));
        Assert.All(sent, r => Assert.Equal("application/json", r.Accept));
        var first = Uri.UnescapeDataString(sent[0].Url.Query);
        Assert.EndsWith("/items/root/delta()", sent[0].Url.AbsolutePath, StringComparison.Ordinal);
        Assert.Contains("$select=" + DriveItems.Select, first, StringComparison.Ordinal);
        Assert.Contains("$top=4", first, StringComparison.Ordinal);

        // Each next page is fetched from exactly the link the previous one gave.
        Assert.Equal(links.SkipLast(1).Select(l => new Uri(l).AbsoluteUri), sent.Skip(1).Select(r => r.Url.AbsoluteUri));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task ReadChangesAsync_ThrottledOrUnavailable_SurfacesRetryAfterAfterOneRequest(int status)
    {
        await using var host = await DedicatedServer.StartAsync();
        var store = host.Store();
        await store.GetRootItemIdAsync(Ct);
        if (status == 429)
        {
            host.Server.Faults.Throttle(1, TimeSpan.FromSeconds(9), r => r.Route == GraphRoute.Delta);
        }
        else
        {
            host.Server.Faults.Unavailable(1, TimeSpan.FromSeconds(9), r => r.Route == GraphRoute.Delta);
        }

        var error = await Assert.ThrowsAsync<StorageException>(() => store.ReadChangesAsync(null, Ct));

        Assert.Equal(StorageErrorKind.Throttled, error.Kind);
        Assert.Equal(status, error.Status);
        Assert.Equal(TimeSpan.FromSeconds(9), error.RetryAfter);
        Assert.Equal(1, host.Server.RequestLog.Count(GraphRoute.Delta));
    }

    [Theory]
    [InlineData(200, "", StorageErrorKind.Transient)]
    [InlineData(200, """{"@odata.context":"c","value":[{"id":"a","name":"a.txt"}]}""", StorageErrorKind.Transient)]
    [InlineData(200, """{"value":[{"id":"a","name":"a.txt"}""", StorageErrorKind.Permanent)]
    [InlineData(200, """{"value":[{"name":"a.txt"}],"@odata.deltaLink":"https://g/d"}""", StorageErrorKind.Permanent)]
    [InlineData(410, """{"error":{"code":"resyncRequired","message":"Resync required."}}""", StorageErrorKind.ResyncRequired)]
    [InlineData(401, """{"error":{"code":"InvalidAuthenticationToken","message":"Expired."}}""", StorageErrorKind.Authentication)]
    [InlineData(500, """{"error":{"code":"generalException","message":"Oops."}}""", StorageErrorKind.Transient)]
    [InlineData(404, "", StorageErrorKind.NotFound)]
    public async Task ReadChangesAsync_CannedAnswer_ClassifiedOnce(int status, string body, StorageErrorKind expected)
    {
        await using var host = await DedicatedServer.StartAsync(intercept: (request, send) => IsDelta(request)
            ? Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = Json(body), RequestMessage = request })
            : send());
        var store = host.Store();

        var error = await Assert.ThrowsAsync<StorageException>(() => store.ReadChangesAsync(null, Ct));

        Assert.Equal(expected, error.Kind);
    }

    [Fact]
    public async Task ReadChangesAsync_ConnectionLostMidBody_IsTransient()
    {
        await using var host = await DedicatedServer.StartAsync(intercept: async (request, send) =>
        {
            var response = await send();
            if (IsDelta(request))
            {
                var body = await response.Content.ReadAsByteArrayAsync();
                response.Content = Json(new BrokenStream(body[..(body.Length / 2)], stall: null));
            }

            return response;
        });
        for (var i = 0; i < 50; i++)
        {
            host.Drive.WriteFile($"f{i}.txt", [(byte)i]);
        }

        var error = await Assert.ThrowsAsync<StorageException>(() => host.Store().ReadChangesAsync(null, Ct));

        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    public async Task ReadChangesAsync_BodyStalls_TimesOutAsTransientAfterTheNetworkTimeout(int configuredSeconds)
    {
        TimeSpan? configured = configuredSeconds == 0 ? null : TimeSpan.FromSeconds(configuredSeconds);
        var timeout = configured ?? GraphConnection.DefaultNetworkTimeout;
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2024-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await GraphDevServer.StartAsync(new GraphDevOptions());
        server.Drive.WriteFile("f.txt", [1]);
        using var connection = GraphConnection.Create(
            server.BaseUrl,
            GraphCredentials.None,
            inner => new InterceptingHandler(inner, async (request, send) =>
            {
                var response = await send();
                if (IsDelta(request))
                {
                    var body = await response.Content.ReadAsByteArrayAsync();
                    response.Content = Json(new BrokenStream(body[..10], stalled));
                }

                return response;
            }),
            clock,
            configured);
        var store = new GraphDriveStore(connection, GraphEndpoint.Parse($"graph:{server.DriveId}"));
        await store.GetRootItemIdAsync(Ct);

        var read = store.ReadChangesAsync(null, Ct);
        await stalled.Task;
        clock.Advance(timeout - TimeSpan.FromSeconds(1));
        Assert.False(read.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<StorageException>(() => read);

        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
    }

    private static bool IsDelta(HttpRequestMessage request) => request.RequestUri!.AbsolutePath.Contains("/delta", StringComparison.Ordinal);

    private static string? Header(HttpRequestHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    private static ByteArrayContent Json(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static StreamContent Json(Stream body)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>Hands out <c>prefix</c>, then fails like a reset connection, or (with <c>stall</c>) waits until cancelled.</summary>
    private sealed class BrokenStream(byte[] prefix, TaskCompletionSource? stall) : ReadOnlyTestStream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsMemory(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            if (stall is null)
            {
                throw new IOException("The connection was reset.");
            }

            stall.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}

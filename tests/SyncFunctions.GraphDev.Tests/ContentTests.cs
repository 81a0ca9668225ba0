using SyncFunctions.Abstractions.Hashing;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class ContentTests
{
    [Fact]
    public async Task ContentGet_ThroughSdk_FollowsTheRedirectToTheContentHost()
    {
        await using var server = await Servers.StartAsync(o => o.SeedFiles = 3);
        var file = server.Drive.Snapshot().First(i => !i.IsFolder && i.Size > 0);
        using var graph = TestGraph.Create(server);

        await using var stream = await graph.Client.Drives[server.DriveId].Items[file.Id].Content.GetAsync();
        using var copy = new MemoryStream();
        await stream!.CopyToAsync(copy);

        Assert.Equal(server.Drive.ReadContent(file.Id), copy.ToArray());
        Assert.Equal(file.QuickXorHash, QuickXorHash.HashToBase64(copy.ToArray()));
        Assert.Equal(1, server.RequestLog.Count(GraphRoute.Content));
        Assert.Equal(1, server.RequestLog.Count(GraphRoute.Download));
    }

    [Fact]
    public async Task ContentGet_WithRange_ReturnsTheSliceOnTheRedirectTarget()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("range.txt", Encoding.ASCII.GetBytes("0123456789abcdefghij"));
        using var graph = TestGraph.Create(server);

        await using var stream = await graph.Client.Drives[server.DriveId].Items[file.Id].Content.GetAsync(c => c.Headers.Add("Range", "bytes=5-9"));
        using var reader = new StreamReader(stream!);

        Assert.Equal("56789", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Download_RangeRequest_Returns206WithContentRange()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 1; o.SeedMaxFileSize = 5000; o.Seed = 3; });
        var file = server.Drive.Snapshot().Single(i => !i.IsFolder);
        using var http = NoRedirectClient();

        using var redirect = await GetContentAsync(http, server, file.Id);
        var downloadUrl = redirect.Headers.Location!;
        using var request = new HttpRequestMessage(HttpMethod.Get, downloadUrl);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, 19);
        using var partial = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal(server.ContentBaseUrl.Port, downloadUrl.Port);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 10-19/{file.Size}", partial.Content.Headers.ContentRange!.ToString());
        Assert.Equal(server.Drive.ReadContent(file.Id)[10..20], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_RangeBeyondTheEnd_Returns416()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("small.bin", [1, 2, 3]);
        using var http = NoRedirectClient();
        using var redirect = await GetContentAsync(http, server, file.Id);
        using var request = new HttpRequestMessage(HttpMethod.Get, redirect.Headers.Location);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, null);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
    }

    [Fact]
    public async Task Download_UrlPastItsLifetime_Returns401()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var server = await Servers.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.DownloadUrlLifetime = TimeSpan.FromMinutes(5);
        });
        var file = server.Drive.WriteFile("expiring.bin", [1, 2, 3]);
        using var http = NoRedirectClient();
        using var redirect = await GetContentAsync(http, server, file.Id);

        clock.Advance(TimeSpan.FromMinutes(6));
        using var response = await http.GetAsync(redirect.Headers.Location);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("unauthenticated", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_AfterTheContentChanged_Returns404ForTheOldUrl()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("changing.bin", [1, 2, 3]);
        using var http = NoRedirectClient();
        using var redirect = await GetContentAsync(http, server, file.Id);

        server.Drive.UpdateContent(file.Id, [4, 5, 6]);
        using var response = await http.GetAsync(redirect.Headers.Location);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ContentGet_IfNoneMatchCurrentTag_Returns304()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("cached.bin", [1, 2, 3]);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.BaseUrl}/drives/{Uri.EscapeDataString(server.DriveId)}/items/{file.Id}/content");
        request.Headers.TryAddWithoutValidation("If-None-Match", file.CTag);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task ContentGet_ByPath_Redirects()
    {
        await using var server = await Servers.StartAsync();
        server.Drive.WriteFile("dir one/file.txt", Encoding.ASCII.GetBytes("by path"));
        using var http = new HttpClient();

        var text = await http.GetStringAsync($"{server.BaseUrl}/me/drive/root:/dir%20one/file.txt:/content");

        Assert.Equal("by path", text);
    }

    internal static HttpClient NoRedirectClient() => new(new HttpClientHandler { AllowAutoRedirect = false });

    internal static Task<HttpResponseMessage> GetContentAsync(HttpClient http, GraphDevServer server, string itemId) =>
        http.GetAsync($"{server.BaseUrl}/drives/{Uri.EscapeDataString(server.DriveId)}/items/{itemId}/content");
}

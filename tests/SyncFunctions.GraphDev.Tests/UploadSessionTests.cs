using SyncFunctions.Abstractions.Hashing;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph;
using Microsoft.Graph.Drives.Item.Items.Item.CreateUploadSession;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class UploadSessionTests
{
    private const int Slice = 320 * 1024;

    [Fact]
    public async Task LargeFileUploadTask_ThreeAndAHalfSlices_CreatesTheFileInFourPuts()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        var data = RandomBytes((3 * Slice) + 1000, seed: 1);

        var session = await CreateSessionAsync(graph, "big/large.bin");
        var task = new LargeFileUploadTask<DriveItem>(session, new MemoryStream(data), Slice);
        var result = await task.UploadAsync();

        Assert.True(result.UploadSucceeded);
        Assert.Equal(data, server.Drive.ReadContent(result.ItemResponse.Id!));
        Assert.Equal(QuickXorHash.HashToBase64(data), result.ItemResponse.File!.Hashes!.QuickXorHash);
        Assert.Equal(4, server.RequestLog.Count(GraphRoute.UploadSession, "PUT"));
        Assert.Equal("0-", Assert.Single(session.NextExpectedRanges!));
        Assert.Equal(0, server.UploadSessionCount);
    }

    [Fact]
    public async Task UploadSession_InterruptedAfterOneFragment_StatusReportsTheGapAndResumeCompletes()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        using var http = new HttpClient();
        var data = RandomBytes((2 * Slice) + 77, seed: 2);
        var session = await CreateSessionAsync(graph, "resume.bin");

        using var first = await PutFragmentAsync(http, session.UploadUrl!, data, 0, Slice);
        var status = await GetStatusAsync(http, session.UploadUrl!);
        // A new process resumes from the stored upload URL alone.
        var stored = new UploadSession { UploadUrl = session.UploadUrl, ExpirationDateTime = session.ExpirationDateTime, NextExpectedRanges = ["0-"] };
        var resumed = await new LargeFileUploadTask<DriveItem>(stored, new MemoryStream(data), Slice).ResumeAsync();

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal($"{Slice}-", status.GetProperty("nextExpectedRanges")[0].GetString());
        Assert.True(resumed.UploadSucceeded);
        Assert.Equal(data, server.Drive.ReadContent(server.Drive.GetByPath("resume.bin")!.Id));
        Assert.Equal(3, server.RequestLog.Count(GraphRoute.UploadSession, "PUT")); // no fragment sent twice
    }

    [Fact]
    public async Task UploadSession_OverlappingAndOutOfOrderFragments_Return416()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        using var http = new HttpClient();
        var data = RandomBytes(3 * Slice, seed: 3);
        var session = await CreateSessionAsync(graph, "ranges.bin");
        using var first = await PutFragmentAsync(http, session.UploadUrl!, data, 0, Slice);

        using var overlap = await PutFragmentAsync(http, session.UploadUrl!, data, 0, Slice);
        using var gap = await PutFragmentAsync(http, session.UploadUrl!, data, 2 * Slice, Slice);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, overlap.StatusCode);
        Assert.Equal("fragmentOverlap", InnerCode(await overlap.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, gap.StatusCode);
        Assert.Equal("fragmentOutOfOrder", InnerCode(await gap.Content.ReadAsStringAsync()));
        Assert.Equal($"{Slice}-", (await GetStatusAsync(http, session.UploadUrl!)).GetProperty("nextExpectedRanges")[0].GetString());
    }

    [Fact]
    public async Task UploadSession_NonFinalFragmentNotAMultipleOf320KiB_Returns400()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        using var http = new HttpClient();
        var data = RandomBytes(Slice + 100, seed: 4);
        var session = await CreateSessionAsync(graph, "odd.bin");

        using var response = await PutFragmentAsync(http, session.UploadUrl!, data, 0, 1000);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("0-", (await GetStatusAsync(http, session.UploadUrl!)).GetProperty("nextExpectedRanges")[0].GetString());
    }

    [Fact]
    public async Task UploadSession_Deleted_AnswersNotFoundAndCreatesNothing()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        using var http = new HttpClient();
        var data = RandomBytes(Slice + 1, seed: 5);
        var session = await CreateSessionAsync(graph, "cancelled.bin");
        using var first = await PutFragmentAsync(http, session.UploadUrl!, data, 0, Slice);

        using var delete = await http.DeleteAsync(session.UploadUrl);
        using var status = await http.GetAsync(session.UploadUrl);
        using var last = await PutFragmentAsync(http, session.UploadUrl!, data, Slice, 1);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, last.StatusCode);
        Assert.Null(server.Drive.GetByPath("cancelled.bin"));
    }

    [Fact]
    public async Task UploadSession_PastItsExpiry_AnswersNotFound()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var server = await Servers.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.UploadSessionLifetime = TimeSpan.FromMinutes(10);
        });
        using var graph = TestGraph.Create(server);
        using var http = new HttpClient();
        var session = await CreateSessionAsync(graph, "expiring.bin");

        clock.Advance(TimeSpan.FromMinutes(11));
        using var status = await http.GetAsync(session.UploadUrl);

        Assert.Equal(DateTimeOffset.Parse("2030-01-01T00:10:00Z", CultureInfo.InvariantCulture), session.ExpirationDateTime);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("uploadSessionNotFound", InnerCode(await status.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task CreateUploadSession_ExistingNameWithDefaultFail_Returns409()
    {
        await using var server = await Servers.StartAsync();
        server.Drive.WriteFile("exists.bin", [1]);
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => CreateSessionAsync(graph, "exists.bin", conflict: null));

        Assert.Equal(409, error.ResponseStatusCode);
        Assert.Equal("nameAlreadyExists", error.Error!.Code);
    }

    [Fact]
    public async Task CreateUploadSession_ForAnExistingItem_ReplacesContentKeepingTheId()
    {
        await using var server = await Servers.StartAsync();
        var original = server.Drive.WriteFile("replace-me.bin", [1]);
        using var graph = TestGraph.Create(server);
        var data = RandomBytes(Slice + 5, seed: 6);

        var session = await graph.Client.Drives[server.DriveId].Items[original.Id].CreateUploadSession.PostAsync(
            new CreateUploadSessionPostRequestBody(), c => c.Headers.Add("If-Match", original.ETag));
        var result = await new LargeFileUploadTask<DriveItem>(session!, new MemoryStream(data), Slice).UploadAsync();

        Assert.Equal(original.Id, result.ItemResponse.Id);
        Assert.Equal(data, server.Drive.ReadContent(original.Id));
    }

    [Fact]
    public async Task UploadSession_EditedConcurrentlyAfterAnIfMatchCreate_FailsWith412AtTheLastFragment()
    {
        await using var server = await Servers.StartAsync();
        var original = server.Drive.WriteFile("contended.bin", [1]);
        using var graph = TestGraph.Create(server);
        using var http = new HttpClient();
        var data = RandomBytes(100, seed: 7);
        var session = await graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath("contended.bin").CreateUploadSession.PostAsync(
            Body("replace"), c => c.Headers.Add("If-Match", original.ETag));

        server.Drive.UpdateContent(original.Id, [2, 2]);
        using var last = await PutFragmentAsync(http, session!.UploadUrl!, data, 0, data.Length);

        Assert.Equal(HttpStatusCode.PreconditionFailed, last.StatusCode);
        Assert.Equal(new byte[] { 2, 2 }, server.Drive.ReadContent(original.Id));
    }

    [Fact]
    public async Task CreateUploadSession_StaleIfMatch_Returns412()
    {
        await using var server = await Servers.StartAsync();
        var original = server.Drive.WriteFile("stale.bin", [1]);
        server.Drive.UpdateContent(original.Id, [2]);
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath("stale.bin")
            .CreateUploadSession.PostAsync(Body("replace"), c => c.Headers.Add("If-Match", original.ETag)));

        Assert.Equal(412, error.ResponseStatusCode);
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static CreateUploadSessionPostRequestBody Body(string? conflict)
    {
        var item = new DriveItemUploadableProperties();
        if (conflict is not null)
        {
            item.AdditionalData["@microsoft.graph.conflictBehavior"] = conflict;
        }

        return new CreateUploadSessionPostRequestBody { Item = item };
    }

    private static async Task<UploadSession> CreateSessionAsync(TestGraph graph, string path, string? conflict = "replace") =>
        (await graph.Client.Drives[graph.DriveId].Items["root"].ItemWithPath(path).CreateUploadSession.PostAsync(Body(conflict)))!;

    private static Task<HttpResponseMessage> PutFragmentAsync(HttpClient http, string url, byte[] data, int offset, int length)
    {
        var content = new ByteArrayContent(data, offset, length);
        content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + length - 1, data.Length);
        return http.PutAsync(url, content);
    }

    private static async Task<JsonElement> GetStatusAsync(HttpClient http, string url)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(url));
        return document.RootElement.Clone();
    }

    private static string? InnerCode(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("error").GetProperty("innerError").GetProperty("code").GetString();
    }
}

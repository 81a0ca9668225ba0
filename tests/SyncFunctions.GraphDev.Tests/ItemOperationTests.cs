using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph.Drives.Item.Items.Item.Copy;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class ItemOperationTests
{
    [Fact]
    public async Task CreateFolder_PostChildren_Returns201AndHonoursConflictBehavior()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        var children = graph.Client.Drives[server.DriveId].Items["root"].Children;

        var created = await children.PostAsync(Folder("New Folder", null));
        var clash = await Assert.ThrowsAsync<ODataError>(() => children.PostAsync(Folder("new folder", null)));
        var renamed = await children.PostAsync(Folder("New Folder", "rename"));

        Assert.NotNull(created!.Folder);
        Assert.Equal(0, created.Folder.ChildCount);
        Assert.Equal(409, clash.ResponseStatusCode); // names are unique case-insensitively
        Assert.Equal("nameAlreadyExists", clash.Error!.Code);
        Assert.Equal("New Folder 1", renamed!.Name);
    }

    [Fact]
    public async Task Patch_RenameWithCurrentETag_ChangesETagButNotCTag()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("old.txt", [1, 2]);
        using var graph = TestGraph.Create(server);

        var renamed = await graph.Client.Drives[server.DriveId].Items[file.Id].PatchAsync(
            new DriveItem { Name = "new.txt" }, c => c.Headers.Add("If-Match", file.ETag));

        Assert.Equal("new.txt", renamed!.Name);
        Assert.Equal(file.CTag, renamed.CTag);
        Assert.NotEqual(file.ETag, renamed.ETag);
        Assert.Null(server.Drive.GetByPath("old.txt"));
    }

    [Fact]
    public async Task Patch_StaleIfMatch_Returns412AndChangesNothing()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("guarded.txt", [1]);
        server.Drive.Rename(file.Id, "guarded2.txt");
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Drives[server.DriveId].Items[file.Id].PatchAsync(
            new DriveItem { Name = "mine.txt" }, c => c.Headers.Add("If-Match", file.ETag)));

        Assert.Equal(412, error.ResponseStatusCode);
        Assert.Equal("guarded2.txt", server.Drive.Get(file.Id)!.Name);
    }

    [Fact]
    public async Task Patch_ParentReference_MovesTheItemWithItsSubtree()
    {
        await using var server = await Servers.StartAsync();
        server.Drive.WriteFile("a/inner/file.txt", [1]);
        var folder = server.Drive.GetByPath("a/inner")!;
        var target = server.Drive.CreateFolder("b");
        using var graph = TestGraph.Create(server);

        var moved = await graph.Client.Drives[server.DriveId].Items[folder.Id].PatchAsync(
            new DriveItem { ParentReference = new ItemReference { Id = target.Id }, Name = "moved" });

        Assert.Equal(target.Id, moved!.ParentReference!.Id);
        Assert.NotNull(server.Drive.GetByPath("b/moved/file.txt"));
        Assert.Null(server.Drive.GetByPath("a/inner"));
    }

    [Fact]
    public async Task Patch_FolderWithCurrentETag_MovesTheWholeSubtreeKeepingIdsAndCTags()
    {
        await using var server = await Servers.StartAsync();
        var files = Enumerable.Range(0, 12).Select(i => server.Drive.WriteFile($"docs/s{i % 3}/f{i}.txt", [(byte)i])).ToList();
        var folder = server.Drive.GetByPath("docs")!;
        var target = server.Drive.CreateFolder("archive/2026");
        using var graph = TestGraph.Create(server);
        server.RequestLog.Reset();

        var moved = await graph.Client.Drives[server.DriveId].Items[folder.Id].PatchAsync(
            new DriveItem { ParentReference = new ItemReference { Id = target.Id }, Name = "papers" }, c => c.Headers.Add("If-Match", folder.ETag));

        Assert.Equal(1, server.RequestLog.Total);
        Assert.Equal("papers", moved!.Name);
        Assert.Null(server.Drive.GetByPath("docs"));
        foreach (var file in files)
        {
            var now = server.Drive.Get(file.Id)!;
            Assert.Equal("archive/2026/papers" + file.Path["docs".Length..], now.Path);
            Assert.Equal(file.CTag, now.CTag);
        }
    }

    [Fact]
    public async Task Patch_FolderOntoATakenName_Returns409AndMovesNothing()
    {
        await using var server = await Servers.StartAsync();
        server.Drive.WriteFile("one/a.txt", [1]);
        server.Drive.WriteFile("two/b.txt", [2]);
        var one = server.Drive.GetByPath("one")!;
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Drives[server.DriveId].Items[one.Id].PatchAsync(
            new DriveItem { Name = "TWO" }));

        Assert.Equal(409, error.ResponseStatusCode);
        Assert.NotNull(server.Drive.GetByPath("one/a.txt"));
        Assert.Null(server.Drive.GetByPath("two/a.txt"));
    }

    [Fact]
    public async Task Patch_FolderIntoItsOwnChild_Returns400()
    {
        await using var server = await Servers.StartAsync();
        var child = server.Drive.CreateFolder("outer/child");
        var outer = server.Drive.GetByPath("outer")!;
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Drives[server.DriveId].Items[outer.Id].PatchAsync(
            new DriveItem { ParentReference = new ItemReference { Id = child.Id } }));

        Assert.Equal(400, error.ResponseStatusCode);
    }

    [Fact]
    public async Task Delete_WithStaleThenCurrentETag_Returns412ThenRemovesTheItem()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("delete-me.txt", [1]);
        server.Drive.UpdateContent(file.Id, [2]);
        var current = server.Drive.Get(file.Id)!;
        using var graph = TestGraph.Create(server);
        var item = graph.Client.Drives[server.DriveId].Items[file.Id];

        var stale = await Assert.ThrowsAsync<ODataError>(() => item.DeleteAsync(c => c.Headers.Add("If-Match", file.ETag)));
        await item.DeleteAsync(c => c.Headers.Add("If-Match", current.ETag));
        var gone = await Assert.ThrowsAsync<ODataError>(() => item.GetAsync());

        Assert.Equal(412, stale.ResponseStatusCode);
        Assert.Equal(404, gone.ResponseStatusCode);
        Assert.Equal(2, server.RequestLog.Count(GraphRoute.DeleteItem, "DELETE"));
    }

    [Fact]
    public async Task Delete_Root_Returns403()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Drives[server.DriveId].Items["root"].DeleteAsync());

        Assert.Equal(403, error.ResponseStatusCode);
    }

    [Fact]
    public async Task Copy_FolderWithLatency_MonitorReportsInProgressThenCompletedWithResourceId()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var server = await Servers.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.CopyLatency = TimeSpan.FromSeconds(5);
        });
        server.Drive.WriteFile("src/one.txt", [1]);
        server.Drive.WriteFile("src/deep/two.txt", [2, 2]);
        var source = server.Drive.GetByPath("src")!;
        var target = server.Drive.CreateFolder("dst");
        using var graph = TestGraph.Create(server);
        using var http = new HttpClient();
        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };

        await graph.Client.Drives[server.DriveId].Items[source.Id].Copy.PostAsync(
            new CopyPostRequestBody { ParentReference = new ItemReference { DriveId = server.DriveId, Id = target.Id }, Name = "copy" },
            c => c.Options.Add(headers));
        var monitor = headers.ResponseHeaders["Location"].Single();
        using var pending = await http.GetAsync(monitor);
        var pendingBody = await pending.Content.ReadAsStringAsync();
        clock.Advance(TimeSpan.FromSeconds(5));
        using var done = await http.GetAsync(monitor);
        using var doneBody = JsonDocument.Parse(await done.Content.ReadAsStringAsync());

        Assert.Equal(System.Net.HttpStatusCode.Accepted, pending.StatusCode);
        Assert.Contains("inProgress", pendingBody, StringComparison.Ordinal);
        Assert.Equal("completed", doneBody.RootElement.GetProperty("status").GetString());
        var copyId = doneBody.RootElement.GetProperty("resourceId").GetString();
        Assert.Equal("dst/copy", server.Drive.Get(copyId!)!.Path);
        var copiedFile = server.Drive.GetByPath("dst/copy/deep/two.txt")!;
        Assert.Equal(new byte[] { 2, 2 }, server.Drive.ReadContent(copiedFile.Id));
        Assert.NotEqual(server.Drive.GetByPath("src/deep/two.txt")!.Id, copiedFile.Id);
        Assert.NotNull(server.Drive.GetByPath("src/one.txt"));
    }

    [Fact]
    public async Task Copy_OntoAnExistingName_Returns409()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("dup.txt", [1]);
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Drives[server.DriveId].Items[file.Id].Copy.PostAsync(
            new CopyPostRequestBody { ParentReference = new ItemReference { Id = server.Drive.RootId } }));

        Assert.Equal(409, error.ResponseStatusCode);
    }

    private static DriveItem Folder(string name, string? conflict)
    {
        var item = new DriveItem { Name = name, Folder = new Folder() };
        if (conflict is not null)
        {
            item.AdditionalData["@microsoft.graph.conflictBehavior"] = conflict;
        }

        return item;
    }
}

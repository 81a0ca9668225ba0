using SyncFunctions.Abstractions.Hashing;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph.Models.ODataErrors;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class DeltaTests
{
    [Fact]
    public async Task Delta_FirstEnumerationWithPaging_ReturnsEveryItemAndEndsWithDeltaLink()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 50; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);

        var round = await DeltaRound.ReadAsync(graph, top: 7);

        var expected = server.Drive.Snapshot().Select(i => i.Id).Order().ToList();
        Assert.Equal(expected, round.Final().Keys.Order().ToList());
        Assert.True(round.Pages.Count >= 8, $"expected several pages, got {round.Pages.Count}");
        Assert.Equal(round.NextLinks.Count, round.NextLinks.Distinct().Count());
        Assert.All(round.NextLinks, l => Assert.StartsWith(server.BaseUrl.ToString(), l, StringComparison.Ordinal));
        Assert.StartsWith(server.BaseUrl.ToString(), round.DeltaLink, StringComparison.Ordinal);
        var file = round.Items.First(i => i.File is not null);
        Assert.NotNull(file.File!.Hashes!.QuickXorHash);
        Assert.Null(file.ParentReference!.Path); // delta never fills parentReference.path
    }

    [Fact]
    public async Task Delta_IncrementalAfterEdits_ReturnsOnlyTheChangedItemsAndTheirAncestors()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 40; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);
        var first = await DeltaRound.ReadAsync(graph);
        var edited = server.Drive.GetByPath("t0000/s0/file000001.bin")!;
        var renamed = server.Drive.GetByPath("t0000/s1/file000012.bin")!;

        server.Drive.UpdateContent(edited.Id, Encoding.UTF8.GetBytes("new content"));
        server.Drive.Rename(renamed.Id, "renamed.bin");
        var created = server.Drive.WriteFile("t0000/s2/new.txt", [1, 2, 3]);
        var second = await DeltaRound.ReadAsync(graph, first.DeltaLink);

        var files = second.Final().Values.Where(i => i.File is not null).ToDictionary(i => i.Id!);
        Assert.Equal(new[] { created.Id, edited.Id, renamed.Id }.Order(), files.Keys.Order());
        Assert.Equal("renamed.bin", files[renamed.Id].Name);
        Assert.Equal(11, files[edited.Id].Size);
        Assert.NotEqual(edited.CTag, files[edited.Id].CTag);
        Assert.Equal(renamed.CTag, files[renamed.Id].CTag); // a rename keeps the content tag
        Assert.NotEqual(renamed.ETag, files[renamed.Id].ETag);
        var folders = second.Final().Values.Where(i => i.Folder is not null).Select(i => i.Name).ToHashSet();
        Assert.Subset(new HashSet<string?> { "root", "t0000", "s0", "s1", "s2" }, folders);
    }

    [Fact]
    public async Task Delta_NoChanges_ReturnsEmptyPageAndDeltaLink()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 10; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);
        var first = await DeltaRound.ReadAsync(graph);

        var second = await DeltaRound.ReadAsync(graph, first.DeltaLink);

        Assert.Single(second.Pages);
        Assert.Empty(second.Pages[0]);
        Assert.NotNull(second.DeltaLink);
    }

    [Fact]
    public async Task Delta_ItemChangedWhilePaging_AppearsOnALaterPageAndTheLastRecordWins()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 30; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);
        var delta = graph.Client.Drives[server.DriveId].Items["root"].Delta;

        var page1 = await delta.GetAsDeltaGetResponseAsync(c => c.QueryParameters.Top = 5);
        var seen = page1!.Value!.First(i => i.File is not null);
        server.Drive.Rename(seen.Id!, "changed-while-paging.bin");
        var rest = await DeltaRound.ReadAsync(graph, page1.OdataNextLink);

        var records = page1.Value!.Concat(rest.Items).Where(i => i.Id == seen.Id).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal("changed-while-paging.bin", records[^1].Name);
    }

    [Fact]
    public async Task Delta_AncestorsAcrossPages_RepeatFoldersOnSeveralPages()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 30; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);

        var round = await DeltaRound.ReadAsync(graph, top: 4);

        var rootId = server.Drive.RootId;
        Assert.True(round.Pages.Count(p => p.Any(i => i.Id == rootId)) > 1, "the root should appear on several pages");
        Assert.True(round.Items.Count() > round.Final().Count, "some records should be duplicates");
    }

    [Fact]
    public async Task Delta_DeletedFileAndFolder_ReportTombstonesWithoutNames()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 20; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);
        var first = await DeltaRound.ReadAsync(graph);
        var file = server.Drive.GetByPath("t0000/s0/file000003.bin")!;
        var folder = server.Drive.GetByPath("t0000/s1")!;
        var children = server.Drive.ListChildren(folder.Id).Select(c => c.Id).ToList();

        server.Drive.Delete(file.Id);
        server.Drive.Delete(folder.Id);
        var second = await DeltaRound.ReadAsync(graph, first.DeltaLink);

        var deleted = second.Final().Values.Where(i => i.Deleted is not null).ToList();
        Assert.Equal(children.Append(file.Id).Append(folder.Id).Order(), deleted.Select(i => i.Id!).Order());
        Assert.All(deleted, i => Assert.Null(i.Name));
        Assert.All(deleted, i => Assert.Equal("deleted", i.Deleted!.State));
        Assert.All(deleted, i => Assert.NotNull(i.ParentReference!.Id));
        Assert.False(deleted.Single(i => i.Id == file.Id).AdditionalData.ContainsKey("@microsoft.graph.downloadUrl"));
    }

    [Fact]
    public async Task Delta_FirstEnumeration_OmitsItemsDeletedBeforeIt()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 5; o.SeedFilesPerFolder = 10; });
        var file = server.Drive.GetByPath("t0000/s0/file000000.bin")!;
        server.Drive.Delete(file.Id);
        using var graph = TestGraph.Create(server);

        var round = await DeltaRound.ReadAsync(graph);

        Assert.DoesNotContain(round.Items, i => i.Id == file.Id);
        Assert.DoesNotContain(round.Items, i => i.Deleted is not null);
    }

    [Fact]
    public async Task Delta_FolderRenameAndMove_EmitOnlyTheFolderNotItsChildren()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 20; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);
        var first = await DeltaRound.ReadAsync(graph);
        var folder = server.Drive.GetByPath("t0000/s1")!;
        var other = server.Drive.CreateFolder("elsewhere");
        var sinceFolderCreated = await DeltaRound.ReadAsync(graph, first.DeltaLink);

        server.Drive.Rename(folder.Id, "renamed");
        server.Drive.Move(folder.Id, other.Id);
        var second = await DeltaRound.ReadAsync(graph, sinceFolderCreated.DeltaLink);

        var ids = second.Final().Keys.ToHashSet();
        Assert.Contains(folder.Id, ids);
        Assert.DoesNotContain(ids, id => server.Drive.Get(id)!.ParentId == folder.Id);
        Assert.Equal(other.Id, second.Final()[folder.Id].ParentReference!.Id);
        Assert.Equal("renamed", second.Final()[folder.Id].Name);
    }

    [Fact]
    public async Task Delta_FolderRenamedAfterChildCreated_ParentRecordFollowsTheChild()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        var latest = await graph.Client.Drives[server.DriveId].Items["root"].DeltaWithToken("latest").GetAsDeltaWithTokenGetResponseAsync();
        var folder = server.Drive.CreateFolder("parent");
        var child = server.Drive.WriteFile("parent/child.txt", [1]);
        server.Drive.Rename(folder.Id, "parent-renamed");

        var round = await DeltaRound.ReadAsync(graph, latest!.OdataDeltaLink);

        var order = round.Items.Select(i => i.Id).ToList();
        Assert.True(order.LastIndexOf(folder.Id) > order.IndexOf(child.Id));
    }

    [Fact]
    public async Task Delta_TokenLatest_ReturnsEmptyPageThenOnlyLaterChanges()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 20; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);

        var latest = await graph.Client.Drives[server.DriveId].Items["root"].DeltaWithToken("latest").GetAsDeltaWithTokenGetResponseAsync();
        var created = server.Drive.WriteFile("after-latest.txt", [42]);
        var round = await DeltaRound.ReadAsync(graph, latest!.OdataDeltaLink);

        Assert.Empty(latest.Value!);
        Assert.Null(latest.OdataNextLink);
        Assert.Equal(new[] { created.Id, server.Drive.RootId }.Order(), round.Final().Keys.Order());
    }

    [Fact]
    public async Task Delta_AfterInvalidation_Returns410ResyncWithLocationThatEnumeratesAgain()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 10; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);
        var first = await DeltaRound.ReadAsync(graph, top: 100);

        server.Drive.InvalidateDeltaTokens();
        var error = await Assert.ThrowsAsync<ODataError>(() => DeltaRound.ReadAsync(graph, first.DeltaLink));

        Assert.Equal(410, error.ResponseStatusCode);
        Assert.Equal("resyncRequired", error.Error!.Code);
        Assert.Equal("resyncChangesApplyDifferences", error.Error.InnerError!.AdditionalData["code"]?.ToString());
        var location = error.ResponseHeaders["Location"].Single();
        var resync = await DeltaRound.ReadAsync(graph, location);
        Assert.Equal(first.Final().Keys.Order(), resync.Final().Keys.Order());
    }

    [Fact]
    public async Task Delta_TokenOlderThanLifetime_Returns410()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var server = await Servers.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.DeltaTokenLifetime = TimeSpan.FromDays(1);
        });
        using var graph = TestGraph.Create(server);
        var first = await DeltaRound.ReadAsync(graph);
        var stillValid = await DeltaRound.ReadAsync(graph, first.DeltaLink);

        clock.Advance(TimeSpan.FromDays(2));
        var error = await Assert.ThrowsAsync<ODataError>(() => DeltaRound.ReadAsync(graph, stillValid.DeltaLink));

        Assert.Equal(410, error.ResponseStatusCode);
    }

    [Fact]
    public async Task Delta_UnknownToken_Returns410()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(
            () => graph.Client.Drives[server.DriveId].Items["root"].DeltaWithToken("2021-09-29T20:00:00Z").GetAsDeltaWithTokenGetResponseAsync());

        Assert.Equal(410, error.ResponseStatusCode);
    }

    [Fact]
    public async Task Delta_SelectAndTop_AreBakedIntoTheLinks()
    {
        await using var server = await Servers.StartAsync(o => { o.SeedFiles = 12; o.SeedFilesPerFolder = 10; });
        using var graph = TestGraph.Create(server);

        var round = await DeltaRound.ReadAsync(graph, top: 3, select: ["id", "name", "file"]);

        Assert.True(round.Pages.Count > 3);
        Assert.All(round.Items, i => Assert.Null(i.Size));
        Assert.All(round.Items, i => Assert.NotNull(i.Name));
        Assert.All(round.Pages.SkipLast(1), p => Assert.True(p.Count(i => i.File is not null) <= 3));
    }

    [Fact]
    public async Task Delta_OnASubfolder_Returns400NotSupported()
    {
        await using var server = await Servers.StartAsync();
        var folder = server.Drive.CreateFolder("sub");
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(
            () => graph.Client.Drives[server.DriveId].Items[folder.Id].Delta.GetAsDeltaGetResponseAsync());

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Equal("notSupported", error.Error!.Code);
    }
}

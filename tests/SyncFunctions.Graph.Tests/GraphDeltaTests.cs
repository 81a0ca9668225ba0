using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Graph.Tests;

/// <summary>The change source (driveItem delta) against the loopback server.</summary>
public sealed class GraphDeltaTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task ReadChangesAsync_FirstEnumeration_PagesThroughEveryItemToADeltaLink()
    {
        await using var host = await DedicatedServer.StartAsync();
        for (var i = 0; i < 25; i++)
        {
            host.Drive.WriteFile($"d{i % 3}/f{i:00}.txt", [(byte)i]);
        }

        var store = host.Store(options: new GraphDriveStoreOptions { DeltaPageSize = 7 });
        var (items, pages, deltaLink) = await ReadRoundAsync(store, null);

        Assert.True(pages >= 4, $"expected several pages, got {pages}");
        var files = Final(items).Values.Where(i => !i.IsFolder).ToList();
        Assert.Equal(25, files.Count);
        Assert.All(files, f => Assert.NotNull(f.QuickXorHash));
        Assert.All(files, f => Assert.NotNull(f.CTag));
        var root = Assert.Single(Final(items).Values, i => i.IsRoot);
        Assert.Equal(await store.GetRootItemIdAsync(Ct), root.ItemId);
        Assert.Null(root.ParentId);
        Assert.NotNull(deltaLink);
    }

    [Fact]
    public async Task ReadChangesAsync_IncrementalAfterEdits_ReportsOnlyTheChanges()
    {
        await using var host = await DedicatedServer.StartAsync();
        var edited = host.Drive.WriteFile("a/edit.txt", [1]);
        var renamed = host.Drive.WriteFile("a/old.txt", [2]);
        var deleted = host.Drive.WriteFile("a/gone.txt", [3]);
        host.Drive.WriteFile("a/same.txt", [4]);
        var store = host.Store();
        var (_, _, deltaLink) = await ReadRoundAsync(store, null);

        host.Drive.UpdateContent(edited.Id, [9, 9]);
        host.Drive.Rename(renamed.Id, "new\uFF1Aname.txt");
        host.Drive.Delete(deleted.Id);
        var (items, _, next) = await ReadRoundAsync(store, deltaLink);

        var changes = Final(items);
        Assert.Equal(2, changes[edited.Id].Size);
        Assert.NotEqual(edited.CTag, changes[edited.Id].CTag);
        Assert.Equal("new:name.txt", changes[renamed.Id].Name); // the drive's fullwidth colon, decoded like in listings
        Assert.Equal(renamed.CTag, changes[renamed.Id].CTag);
        Assert.True(changes[deleted.Id].IsDeleted);
        Assert.Null(changes[deleted.Id].Name);
        Assert.DoesNotContain(changes.Values, c => c.Name == "same.txt");
        Assert.NotEqual(deltaLink, next);
    }

    [Fact]
    public async Task ReadChangesAsync_InvalidatedToken_ThrowsResyncRequired()
    {
        await using var host = await DedicatedServer.StartAsync();
        host.Drive.WriteFile("x.txt", [1]);
        var store = host.Store();
        var (_, _, deltaLink) = await ReadRoundAsync(store, null);
        host.Drive.InvalidateDeltaTokens();

        var error = await Assert.ThrowsAsync<StorageException>(() => store.ReadChangesAsync(deltaLink, Ct));

        Assert.Equal(StorageErrorKind.ResyncRequired, error.Kind);
        Assert.Equal(410, error.Status);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task ReadChangesAsync_FolderRootOnBusinessDrive_FallsBackToTheDriveRootDelta()
    {
        await using var host = await DedicatedServer.StartAsync();
        var inside = host.Drive.WriteFile("Docs/in.txt", [1]);
        var outside = host.Drive.WriteFile("Other/out.txt", [2]);
        var store = host.Store("Docs");

        var (items, _, _) = await ReadRoundAsync(store, null);

        var final = Final(items);
        var rootId = await store.GetRootItemIdAsync(Ct);
        Assert.Equal(host.Drive.GetByPath("Docs")!.Id, rootId);
        Assert.True(final[rootId].IsRoot);
        Assert.Equal(rootId, final[inside.Id].ParentId);
        Assert.NotEqual(rootId, final[outside.Id].ParentId);
    }

    [Fact]
    public async Task OpenReadByIdAsync_Range_ReturnsThatSliceOfTheItem()
    {
        await using var host = await DedicatedServer.StartAsync();
        var content = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var file = host.Drive.WriteFile("deep/er/file.bin", content);
        var store = host.Store();

        await using var stream = await store.OpenReadByIdAsync(file.Id, 1000, 500, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);

        Assert.Equal(content[1000..1500], buffer.ToArray());
    }

    internal static async Task<(List<ChangeItem> Items, int Pages, string DeltaLink)> ReadRoundAsync(GraphDriveStore store, string? link)
    {
        var items = new List<ChangeItem>();
        var pages = 0;
        while (true)
        {
            var page = await store.ReadChangesAsync(link, Ct);
            pages++;
            items.AddRange(page.Items);
            if (page.NextLink is null)
            {
                return (items, pages, page.DeltaLink!);
            }

            link = page.NextLink;
        }
    }

    /// <summary>The last report of each item wins.</summary>
    internal static Dictionary<string, ChangeItem> Final(IEnumerable<ChangeItem> items)
    {
        var final = new Dictionary<string, ChangeItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            final[item.ItemId] = item;
        }

        return final;
    }
}

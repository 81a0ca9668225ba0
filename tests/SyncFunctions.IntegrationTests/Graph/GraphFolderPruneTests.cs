using SyncFunctions.GraphDev;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>End-to-end: a drive destination keeps no folders that deletes and moves emptied.</summary>
[Collection("azurite")]
public sealed class GraphFolderPruneTests : GraphCliTestBase
{
    public GraphFolderPruneTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    [Fact]
    public async Task Sync_DriveFolderRenamedToDrive_LeavesNoOldFolderAtTheDestination()
    {
        var source = await StartServerAsync();
        WriteDriveFile(source, "docs/old/a.txt", "alpha"u8.ToArray());
        WriteDriveFile(source, "docs/old/sub/b.txt", "beta"u8.ToArray());
        WriteDriveFile(source, "docs/keep.txt", "kept"u8.ToArray());
        var destination = await StartServerAsync();
        string[] args =
        [
            "sync", DriveEndpoint(source), DriveEndpoint(destination, "mirror"), "--json",
            "--source-graph-url", source.BaseUrl.ToString(), "--destination-graph-url", destination.BaseUrl.ToString(),
        ];
        var first = await Syncfn(args);
        Assert.True(first.ExitCode == 0, first.ToString());

        source.Drive.Rename(DriveItem(source, "docs/old").Id, "new");
        destination.RequestLog.Reset();
        var rename = await Syncfn(args);

        Assert.True(rename.ExitCode == 0, rename.ToString());
        Assert.Equal(DriveSnapshot(source), DriveSnapshot(destination, "mirror"));
        Assert.Equal(1, destination.RequestLog.Count(GraphRoute.UpdateItem)); // the folder, not each file
        Assert.Null(destination.Drive.GetByPath("mirror/docs/old"));
        Assert.Equal(["mirror/docs", "mirror/docs/new", "mirror/docs/new/sub"], FoldersBelow(destination, "mirror/"));
    }

    [Fact]
    public async Task Sync_LocalFilesOfAFolderAllDeletedToDrive_RemovesTheFolderAndKeepsTheOthers()
    {
        var server = await StartServerAsync();
        var source = NewTree("src");
        source.Write("docs/a.txt", "alpha");
        source.Write("docs/deep/er/c.txt", "gamma");
        source.Write("docs/deep/er/d.txt", "delta");
        source.Write("other/e.txt", "epsilon");
        source.Write("other/f.txt", "phi");
        string[] args = ["sync", source.Root, DriveEndpoint(server, "backup"), "--json"];
        var first = await SyncfnAt(server, args);
        Assert.True(first.ExitCode == 0, first.ToString());

        source.Delete("docs/deep/er/c.txt");
        source.Delete("docs/deep/er/d.txt");
        source.Delete("other/e.txt");
        var deletes = await SyncfnAt(server, args);

        Assert.True(deletes.ExitCode == 0, deletes.ToString());
        Assert.Equal(source.Snapshot(), DriveSnapshot(server, "backup"));
        Assert.Null(server.Drive.GetByPath("backup/docs/deep"));
        Assert.Equal(["backup/docs", "backup/other"], FoldersBelow(server, "backup/"));
    }

    private static List<string> FoldersBelow(GraphDevServer server, string prefix) =>
        [.. server.Drive.Snapshot().Where(i => i.IsFolder && i.Path.StartsWith(prefix, StringComparison.Ordinal)).Select(i => i.Path).Order(StringComparer.Ordinal)];
}

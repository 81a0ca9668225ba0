using SyncFunctions.Graph;
using SyncFunctions.GraphDev;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>End-to-end: a drive as the destination (simple uploads, upload sessions, server-side moves), and drive -> local.</summary>
[Collection("azurite")]
public sealed class GraphDestinationTests : GraphCliTestBase
{
    public GraphDestinationTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    [Fact]
    public async Task Sync_LocalToDrive_DriveHoldsSameBytesAndLargeFileUsesOneUploadSession()
    {
        var server = await StartServerAsync();
        var source = NewTree("src");
        WriteMixedTree(source);
        string[] args = ["sync", source.Root, DriveEndpoint(server, "backup"), "--chunk-size", "1MiB", "--json"];

        var first = await SyncfnAt(server, args);
        var second = await SyncfnAt(server, args);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(source.Snapshot(), DriveSnapshot(server, "backup"));
        Assert.Equal(source.Snapshot().Count, first.Long("transferredByThisProcess"));

        // Only media/large.bin (6 MiB > the 4 MiB simple-upload limit) goes through a session, in 960 KiB fragments.
        Assert.Equal(1, server.RequestLog.Count(GraphRoute.CreateUploadSession));
        Assert.Equal(7, server.RequestLog.Count(GraphRoute.UploadSession, "PUT"));
        Assert.Equal(source.Snapshot().Count - 1, server.RequestLog.Count(GraphRoute.SimpleUpload));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(0, second.Long("bytesTransferred"));
        Assert.Equal(0, second.Long("transferredByThisProcess"));
    }

    [Fact]
    public async Task Sync_LocalChangesToDrive_EditDeleteAndRenamePropagate()
    {
        var server = await StartServerAsync();
        var source = NewTree("src");
        WriteMixedTree(source);
        string[] args = ["sync", source.Root, DriveEndpoint(server), "--json"];
        var first = await SyncfnAt(server, args);
        Assert.True(first.ExitCode == 0, first.ToString());

        source.Write("docs/a.txt", "alpha, edited");
        source.Delete("hash#and%percent+plus.txt");
        source.Move("docs/b.txt", "archive/b.txt");
        var second = await SyncfnAt(server, args);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(source.Snapshot(), DriveSnapshot(server));
        Assert.Null(server.Drive.GetByPath("hash#and%percent+plus.txt"));
    }

    [Fact]
    public async Task Sync_BlobToDrive_DriveHoldsSameBytes()
    {
        var server = await StartServerAsync();
        var source = NewTree("src");
        WriteMixedTree(source);
        var container = NewContainer("b2g");
        var up = await Syncfn("sync", source.Root, $"blob:{container}", "--json");
        Assert.True(up.ExitCode == 0, up.ToString());

        var result = await SyncfnAt(server, "sync", $"blob:{container}", DriveEndpoint(server, "from-blob"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(source.Snapshot(), DriveSnapshot(server, "from-blob"));
        Assert.Equal(1, server.RequestLog.Count(GraphRoute.CreateUploadSession));
    }

    [Fact]
    public async Task Sync_DriveToLocal_FolderHoldsSameBytes()
    {
        var server = await StartServerAsync(o => o.SeedFiles = 150);
        WriteDriveFile(server, "notes/ünïcødé 日本.txt", "unicode"u8.ToArray());
        WriteDriveFile(server, "media/large.bin", TestTree.RandomBytes((5 * 1024 * 1024) + 5, seed: 41));
        var target = NewTree("dst");

        var result = await SyncfnAt(server, "sync", DriveEndpoint(server), $"local:{target.Root}", "--json");
        var verify = await SyncfnAt(server, "verify", DriveEndpoint(server), target.Root, "--deep", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(DriveSnapshot(server), target.Snapshot());
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Sync_DriveEditConflictingWithLocalEdit_FailsCarriesOverUntilForced()
    {
        var server = await StartServerAsync(o => o.SeedFiles = 30);
        var target = NewTree("dst");
        string[] args = ["sync", DriveEndpoint(server), target.Root, "--json"];
        var first = await SyncfnAt(server, args);
        Assert.True(first.ExitCode == 0, first.ToString());

        server.Drive.UpdateContent(DriveItem(server, "t0000/s0/file000004.bin").Id, "edited on the drive"u8);
        target.Write("t0000/s0/file000004.bin", "edited locally, differently");
        var conflict = await SyncfnAt(server, args);
        var again = await SyncfnAt(server, args);
        var forced = await SyncfnAt(server, [.. args, "--force"]);

        Assert.Equal(1, conflict.ExitCode);
        Assert.Equal("t0000/s0/file000004.bin", Assert.Single(conflict.Json.GetProperty("failures").EnumerateArray()).GetProperty("path").GetString());

        // The delta cursor moved on, yet the failed item is planned again from the carry-over set.
        Assert.Equal(1, again.ExitCode);
        Assert.Equal(1, again.Long("total"));
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(DriveSnapshot(server), target.Snapshot());
    }

    [Fact]
    public async Task Sync_DriveToDrive_CopiesContentAndMovesFoldersServerSide()
    {
        var source = await StartServerAsync(o => o.SeedFiles = 120);
        WriteDriveFile(source, "notes/today.txt", "hello"u8.ToArray());
        WriteDriveFile(source, "media/large.bin", TestTree.RandomBytes((5 * 1024 * 1024) + 9, seed: 51));
        var destination = await StartServerAsync();
        string[] args =
        [
            "sync", DriveEndpoint(source), DriveEndpoint(destination, "mirror"), "--json",
            "--source-graph-url", source.BaseUrl.ToString(), "--destination-graph-url", destination.BaseUrl.ToString(),
        ];
        var first = await Syncfn(args);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(DriveSnapshot(source), DriveSnapshot(destination, "mirror"));

        source.Drive.Rename(DriveItem(source, "t0000/s1").Id, "s1-renamed");
        source.Drive.Move(DriveItem(source, "notes").Id, DriveItem(source, "media").Id);
        destination.RequestLog.Reset();
        var moves = await Syncfn(args);

        Assert.True(moves.ExitCode == 0, moves.ToString());
        Assert.Equal(DriveSnapshot(source), DriveSnapshot(destination, "mirror"));
        Assert.Equal(0, moves.Long("bytesTransferred"));

        // One folder move each (20 files below the renamed folder, 1 below the moved one): one PATCH per folder.
        Assert.Equal(2, moves.Long("total"));
        Assert.Equal(0, destination.RequestLog.Count(GraphRoute.SimpleUpload) + destination.RequestLog.Count(GraphRoute.CreateUploadSession));
        Assert.Equal(2, destination.RequestLog.Count(GraphRoute.UpdateItem));

        var edited = TestTree.RandomBytes(777, seed: 52);
        source.Drive.UpdateContent(DriveItem(source, "media/notes/today.txt").Id, edited);
        var edit = await Syncfn(args);

        Assert.True(edit.ExitCode == 0, edit.ToString());
        Assert.Equal(edited.Length, edit.Long("bytesTransferred"));
        Assert.Equal(DriveSnapshot(source), DriveSnapshot(destination, "mirror"));
    }

    [Fact]
    public async Task Sync_LocalNamesOneDriveCannotHold_StoredUnderReversibleMapping()
    {
        string[] names = ["a:b.txt", "trailing.", "con.txt", "CON", "what?.txt", "star*.txt", "<angle>|pipe.txt", " lead.txt", "~$lock.docx", "x_vti_y.txt", "ok.txt"];
        var server = await StartServerAsync();
        var source = NewTree("src");
        foreach (var name in names)
        {
            source.Write($"odd/{name}", $"content of [{name}]");
        }

        var restored = NewTree("restored");
        var up = await SyncfnAt(server, "sync", source.Root, DriveEndpoint(server), "--json");
        var down = await SyncfnAt(server, "sync", DriveEndpoint(server), $"local:{restored.Root}", "--json");

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal(names.Length, up.Long("transferredByThisProcess"));
        Assert.Empty(up.Json.GetProperty("skippedItems").EnumerateArray());
        var onDrive = server.Drive.ListChildren(DriveItem(server, "odd").Id).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(names.Select(GraphNameMapping.ToDriveName).ToHashSet(StringComparer.Ordinal), onDrive);
        Assert.All(onDrive, n => Assert.True(GraphNameMapping.IsValidDriveName(n), $"'{n}' is not a valid drive name"));
        Assert.Contains("a\uFF1Ab.txt", onDrive);
        Assert.Contains("trailing\uFF0E", onDrive);
        Assert.Contains("con.txt", onDrive);
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal(source.Snapshot(), restored.Snapshot());
    }

    [Fact]
    public async Task Sync_LocalPathTooLongForDrive_SkippedWithReasonAndOtherFilesArrive()
    {
        var server = await StartServerAsync();
        var source = NewTree("src");
        var longPath = string.Join('/', Enumerable.Range(0, 5).Select(i => new string((char)('a' + i), 90))) + "/deep.txt";
        source.Write(longPath, "too deep for OneDrive");
        source.Write("fine.txt", "fine");

        var result = await SyncfnAt(server, "sync", source.Root, DriveEndpoint(server), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Json.GetProperty("failures").EnumerateArray());
        var skipped = Assert.Single(result.Json.GetProperty("skippedItems").EnumerateArray());
        Assert.Equal(longPath, skipped.GetProperty("path").GetString());
        Assert.Contains("at most 400", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(["fine.txt"], DriveSnapshot(server).Keys);
    }
}

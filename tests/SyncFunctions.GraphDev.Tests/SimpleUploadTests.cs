using SyncFunctions.Abstractions.Hashing;
using System.Net;
using System.Text;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class SimpleUploadTests
{
    [Fact]
    public async Task PutContent_NewPath_Returns201AndCreatesMissingFolders()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        var bytes = Encoding.UTF8.GetBytes("small file");

        var item = await graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath("dir one/sub/small.txt").Content.PutAsync(new MemoryStream(bytes));

        Assert.Equal("small.txt", item!.Name);
        Assert.True(server.Drive.GetByPath("dir one/sub")!.IsFolder);
        Assert.Equal(bytes, server.Drive.ReadContent(item.Id!));
        Assert.Equal(QuickXorHash.HashToBase64(bytes), item.File!.Hashes!.QuickXorHash);
    }

    [Fact]
    public async Task PutContent_ParentIdAndName_CreatesTheFileInThatFolder()
    {
        await using var server = await Servers.StartAsync();
        var folder = server.Drive.CreateFolder("target");
        using var graph = TestGraph.Create(server);

        var item = await graph.Client.Drives[server.DriveId].Items[folder.Id].ItemWithPath("named.bin").Content.PutAsync(new MemoryStream([9, 8, 7]));

        Assert.Equal(folder.Id, item!.ParentReference!.Id);
        Assert.Equal("target/named.bin", server.Drive.Get(item.Id!)!.Path);
    }

    [Fact]
    public async Task PutContent_ExistingItemById_KeepsIdAndChangesTags()
    {
        await using var server = await Servers.StartAsync();
        var original = server.Drive.WriteFile("replace.txt", [1]);
        using var graph = TestGraph.Create(server);

        var item = await graph.Client.Drives[server.DriveId].Items[original.Id].Content.PutAsync(new MemoryStream([2, 2]));

        Assert.Equal(original.Id, item!.Id);
        Assert.Equal(2, item.Size);
        Assert.NotEqual(original.CTag, item.CTag);
        Assert.NotEqual(original.ETag, item.ETag);
    }

    [Fact]
    public async Task PutContent_IfMatchStaleETag_Returns412AndKeepsTheOtherEdit()
    {
        await using var server = await Servers.StartAsync();
        var original = server.Drive.WriteFile("guarded.txt", [1]);
        server.Drive.UpdateContent(original.Id, [2]); // a concurrent edit
        using var graph = TestGraph.Create(server);
        var path = graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath("guarded.txt").Content;

        var error = await Assert.ThrowsAsync<ODataError>(() => path.PutAsync(new MemoryStream([3]), c => c.Headers.Add("If-Match", original.ETag)));
        var current = server.Drive.Get(original.Id)!;
        var accepted = await path.PutAsync(new MemoryStream([4]), c => c.Headers.Add("If-Match", current.ETag));

        Assert.Equal(412, error.ResponseStatusCode);
        Assert.Equal("resourceModified", error.Error!.Code);
        Assert.Equal(new byte[] { 4 }, server.Drive.ReadContent(accepted!.Id!));
    }

    [Fact]
    public async Task PutContent_IfMatchCTag_IsAccepted()
    {
        await using var server = await Servers.StartAsync();
        var original = server.Drive.WriteFile("ctag.txt", [1]);
        using var graph = TestGraph.Create(server);

        var item = await graph.Client.Drives[server.DriveId].Items[original.Id].Content.PutAsync(new MemoryStream([5]), c => c.Headers.Add("If-Match", original.CTag!));

        Assert.Equal(1, item!.Size);
    }

    [Fact]
    public async Task PutContent_ConflictBehaviorFailAndRename_Return409AndAFreeName()
    {
        await using var server = await Servers.StartAsync();
        server.Drive.WriteFile("same.txt", [1]);
        using var http = new HttpClient();
        var url = $"{server.BaseUrl}/drives/{Uri.EscapeDataString(server.DriveId)}/root:/same.txt:/content?@microsoft.graph.conflictBehavior=";

        using var fail = await http.PutAsync(url + "fail", new ByteArrayContent([2]));
        using var rename = await http.PutAsync(url + "rename", new ByteArrayContent([3]));

        Assert.Equal(HttpStatusCode.Conflict, fail.StatusCode);
        Assert.Contains("nameAlreadyExists", await fail.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, rename.StatusCode);
        Assert.Equal(new byte[] { 3 }, server.Drive.ReadContent(server.Drive.GetByPath("same 1.txt")!.Id));
        Assert.Equal(new byte[] { 1 }, server.Drive.ReadContent(server.Drive.GetByPath("same.txt")!.Id));
    }

    [Theory]
    [InlineData("bad*name.txt")]
    [InlineData("trailing.")]
    [InlineData("CON")]
    [InlineData(" leading.txt")]
    public async Task PutContent_NameOneDriveCannotHold_Returns400(string name)
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(
            () => graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath(name).Content.PutAsync(new MemoryStream([1])));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Equal("invalidRequest", error.Error!.Code);
        Assert.Null(server.Drive.GetByPath(name));
    }

    [Fact]
    public async Task PutContent_LargerThanTheLimit_Returns413()
    {
        await using var server = await Servers.StartAsync(o => o.SimpleUploadMaxBytes = 1000);
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(
            () => graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath("big.bin").Content.PutAsync(new MemoryStream(new byte[1001])));

        Assert.Equal(413, error.ResponseStatusCode);
    }
}

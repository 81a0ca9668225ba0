using SyncFunctions.Abstractions.Hashing;
using System.Text;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class DriveAndItemTests
{
    [Fact]
    public async Task GetDrive_MeAndById_ReturnTheSameDrive()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);

        var me = await graph.Client.Me.Drive.GetAsync();
        var byId = await graph.Client.Drives[server.DriveId].GetAsync();

        Assert.Equal(server.DriveId, me!.Id);
        Assert.Equal(server.DriveId, byId!.Id);
        Assert.Equal("business", byId.DriveType);
        Assert.StartsWith("http://127.0.0.1:", server.BaseUrl.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("/v1.0", server.BaseUrl.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDrive_UnknownDriveId_Returns404ItemNotFound()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Drives["b!nope"].GetAsync());

        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Equal("itemNotFound", error.Error!.Code);
    }

    [Fact]
    public async Task GetItem_ByIdAndByPath_ReturnShapeWithHashesTagsAndParentPath()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("docs/report one.txt", Encoding.UTF8.GetBytes("hello world"));
        using var graph = TestGraph.Create(server);

        var byId = await graph.Client.Drives[server.DriveId].Items[file.Id].GetAsync();
        var byPath = await graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath("docs/report one.txt").GetAsync();
        var root = await graph.Client.Drives[server.DriveId].Items["root"].GetAsync();

        Assert.Equal(file.Id, byPath!.Id);
        Assert.Equal("report one.txt", byId!.Name);
        Assert.Equal(11, byId.Size);
        Assert.Equal("aCgDG9jwBhDc4Q1yawMZAAAAAAA=", byId.File!.Hashes!.QuickXorHash);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("hello world"))), byId.File.Hashes.Sha256Hash);
        Assert.Equal($"/drives/{server.DriveId}/root:/docs", byId.ParentReference!.Path);
        Assert.Equal(server.DriveId, byId.ParentReference.DriveId);
        Assert.NotNull(byId.ETag);
        Assert.NotNull(byId.CTag);
        Assert.True(byId.AdditionalData.ContainsKey("@microsoft.graph.downloadUrl"));
        Assert.NotNull(root!.Root);
        Assert.Equal(1, root.Folder!.ChildCount);
        Assert.Null(root.ParentReference!.Id);
    }

    [Fact]
    public async Task GetItem_Missing_Returns404WithErrorBody()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);

        var error = await Assert.ThrowsAsync<ODataError>(
            () => graph.Client.Drives[server.DriveId].Items["root"].ItemWithPath("missing/file.txt").GetAsync());

        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Equal("itemNotFound", error.Error!.Code);
        Assert.NotNull(error.Error.InnerError);
    }

    [Fact]
    public async Task ListChildren_MoreThanOnePage_FollowsNextLinksInNameOrder()
    {
        await using var server = await Servers.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            server.Drive.WriteFile($"folder/f{i}.txt", [(byte)i]);
        }

        var folder = server.Drive.GetByPath("folder")!;
        using var graph = TestGraph.Create(server);
        var names = new List<string>();
        var pages = 0;

        var page = await graph.Client.Drives[server.DriveId].Items[folder.Id].Children.GetAsync(c => c.QueryParameters.Top = 3);
        while (true)
        {
            pages++;
            names.AddRange(page!.Value!.Select(i => i.Name!));
            if (page.OdataNextLink is not { } next)
            {
                break;
            }

            page = await graph.Client.Drives[server.DriveId].Items[folder.Id].Children.WithUrl(next).GetAsync();
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"f{i}.txt"), names);
    }

    [Fact]
    public async Task GetItem_WithBearerToken_IsAccepted()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server, auth: new FakeTokenProvider());

        var drive = await graph.Client.Me.Drive.GetAsync();

        Assert.Equal(server.DriveId, drive!.Id);
    }
}

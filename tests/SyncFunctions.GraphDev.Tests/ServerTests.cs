using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class ServerTests
{
    [Fact]
    public async Task StartAsync_FixedPort_ListensThereAndPrintsTheContractLine()
    {
        var port = FreePort();
        await using var server = await Servers.StartAsync(o => o.Port = port);

        Assert.Equal(new Uri($"http://127.0.0.1:{port}/v1.0"), server.BaseUrl);
        Assert.Equal($"graph-dev listening on http://127.0.0.1:{port}/v1.0 drive {server.DriveId}", server.ListeningMessage);
        Assert.NotEqual(port, server.ContentBaseUrl.Port);
        Assert.StartsWith("b!", server.DriveId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_PortInUse_Throws()
    {
        await using var first = await Servers.StartAsync();

        await Assert.ThrowsAnyAsync<IOException>(() => Servers.StartAsync(o => o.Port = first.BaseUrl.Port));
    }

    [Fact]
    public async Task DevRequests_CountsApiAndContentRequestsAndResets()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("f.bin", [1, 2]);
        using var http = new HttpClient();
        await http.GetStringAsync($"{server.BaseUrl}/me/drive");
        await http.GetByteArrayAsync($"{server.BaseUrl}/me/drive/items/{file.Id}/content");

        using var counts = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.BaseUrl, "/_dev/requests")));
        using var reset = await http.PostAsync(new Uri(server.BaseUrl, "/_dev/requests/reset"), null);

        Assert.Equal(2, counts.RootElement.GetProperty("api").GetInt32());
        Assert.Equal(1, counts.RootElement.GetProperty("content").GetInt32());
        Assert.Equal(1, counts.RootElement.GetProperty("byRoute").GetProperty("Content GET").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(0, server.RequestLog.Total);
    }

    [Fact]
    public async Task UnknownPath_Returns400WithAJsonErrorBody()
    {
        await using var server = await Servers.StartAsync();
        using var http = new HttpClient();

        using var response = await http.GetAsync($"{server.BaseUrl}/me/drive/items/root/permissions");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("invalidRequest", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, server.RequestLog.Count(GraphRoute.Unknown));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

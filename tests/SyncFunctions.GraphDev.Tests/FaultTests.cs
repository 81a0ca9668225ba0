using System.Diagnostics;
using Microsoft.Graph.Models.ODataErrors;
using SyncFunctions.GraphDev.Tests.Infrastructure;

namespace SyncFunctions.GraphDev.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Throttle_WithSdkRetriesOff_SurfacesODataError429WithRetryAfter()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server, maxRetry: 0);
        server.Faults.Throttle(1, TimeSpan.FromSeconds(7));

        var error = await Assert.ThrowsAsync<ODataError>(() => graph.Client.Me.Drive.GetAsync());
        var after = await graph.Client.Me.Drive.GetAsync();

        Assert.Equal(429, error.ResponseStatusCode);
        Assert.Equal("activityLimitReached", error.Error!.Code);
        Assert.Equal("7", error.ResponseHeaders["Retry-After"].Single());
        Assert.Equal(server.DriveId, after!.Id);
        Assert.Equal(1, server.Faults.Injected);
    }

    [Fact]
    public async Task Throttle_WithTheSdkRetryHandler_IsRetriedBySdkAndCountedTwiceAtTheServer()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server, maxRetry: 3);
        server.Faults.Throttle(1, TimeSpan.Zero);

        var drive = await graph.Client.Me.Drive.GetAsync();

        Assert.Equal(server.DriveId, drive!.Id);
        Assert.Equal(2, server.RequestLog.Count(GraphRoute.Drive));
    }

    [Fact]
    public async Task Unavailable_OnlyForMatchingRoute_LeavesOtherRequestsAlone()
    {
        await using var server = await Servers.StartAsync(o => o.SeedFiles = 3);
        using var graph = TestGraph.Create(server);
        server.Faults.Unavailable(2, TimeSpan.FromSeconds(2), r => r.Route == GraphRoute.Delta);

        var drive = await graph.Client.Me.Drive.GetAsync();
        var first = await Assert.ThrowsAsync<ODataError>(() => DeltaRound.ReadAsync(graph));
        var second = await Assert.ThrowsAsync<ODataError>(() => DeltaRound.ReadAsync(graph));
        var third = await DeltaRound.ReadAsync(graph);

        Assert.NotNull(drive);
        Assert.Equal(503, first.ResponseStatusCode);
        Assert.Equal("serviceNotAvailable", second.Error!.Code);
        Assert.Equal("2", second.ResponseHeaders["Retry-After"].Single());
        Assert.NotEmpty(third.Items);
        Assert.Equal(0, server.Faults.Pending);
    }

    [Fact]
    public async Task Drop_ConnectionAborted_SurfacesAsHttpRequestException()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        server.Faults.Drop(1, r => r.Route == GraphRoute.Drive);

        await Assert.ThrowsAsync<HttpRequestException>(() => graph.Client.Me.Drive.GetAsync());
        var after = await graph.Client.Me.Drive.GetAsync();

        Assert.Equal(server.DriveId, after!.Id);
    }

    [Fact]
    public async Task Delay_SlowResponse_ArrivesAfterTheDelay()
    {
        await using var server = await Servers.StartAsync();
        using var graph = TestGraph.Create(server);
        server.Faults.Delay(1, TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();

        var drive = await graph.Client.Me.Drive.GetAsync();

        Assert.Equal(server.DriveId, drive!.Id);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Drop_DuringADownload_LeavesTheContentHostUsable()
    {
        await using var server = await Servers.StartAsync();
        var file = server.Drive.WriteFile("dl.bin", new byte[1000]);
        using var graph = TestGraph.Create(server);
        server.Faults.Drop(1, r => r.Route == GraphRoute.Download);

        await Assert.ThrowsAsync<HttpRequestException>(() => graph.Client.Drives[server.DriveId].Items[file.Id].Content.GetAsync());
        await using var stream = await graph.Client.Drives[server.DriveId].Items[file.Id].Content.GetAsync();
        using var copy = new MemoryStream();
        await stream!.CopyToAsync(copy);

        Assert.Equal(1000, copy.Length);
        Assert.Equal(2, server.RequestLog.ContentRequests);
    }
}

using System.Text.RegularExpressions;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>
/// End-to-end: the command-line contract of <c>syncfn graph-dev</c> (the line scripts wait for, clean stop),
/// $SYNCFN_GRAPH_URL, the credentials check before anything is contacted, and <c>runs join</c> of a drive run.
/// </summary>
[Collection("azurite")]
public sealed partial class GraphCommandTests : GraphCliTestBase
{
    public GraphCommandTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    [Theory]
    [InlineData(15)]
    [InlineData(2)]
    public async Task GraphDev_Started_PrintsContractLineServesSyncAndStopsCleanlyOnSignal(int signal)
    {
        var target = NewTree("dst");
        await using var server = CliRunner.Start(Home.Root, ["graph-dev", "--seed-files", "25"]);
        var line = await server.WaitForStdoutAsync(l => l.StartsWith("graph-dev ", StringComparison.Ordinal));
        var match = ListeningLine().Match(line);
        Assert.True(match.Success, line);
        var (url, drive) = (match.Groups[1].Value, match.Groups[2].Value);

        // The URL comes from $SYNCFN_GRAPH_URL here: no --graph-url and no credentials.
        await using var sync = CliRunner.Start(
            Home.Root,
            ["sync", $"graph:{drive}", $"local:{target.Root}", "--storage", Storage, "--json"],
            environment: new Dictionary<string, string?> { ["SYNCFN_GRAPH_URL"] = url });
        var synced = await sync.WaitForExitAsync();
        server.Signal(signal);
        var stopped = await server.WaitForExitAsync();

        Assert.True(synced.ExitCode == 0, synced.ToString());
        Assert.Equal(25, target.Snapshot().Count);
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Equal(line + "\n", stopped.Stdout);
    }

    [Fact]
    public async Task GraphDev_DataFolder_KeepsDriveAcrossRestarts()
    {
        var data = NewTree("graph-data");
        string first;
        await using (var server = CliRunner.Start(Home.Root, ["graph-dev", "--data", data.Root, "--seed-files", "10"]))
        {
            first = await server.WaitForStdoutAsync(l => l.StartsWith("graph-dev ", StringComparison.Ordinal));
            server.Signal(15);
            Assert.Equal(0, (await server.WaitForExitAsync()).ExitCode);
        }

        await using var again = CliRunner.Start(Home.Root, ["graph-dev", "--data", data.Root]);
        var second = await again.WaitForStdoutAsync(l => l.StartsWith("graph-dev ", StringComparison.Ordinal));
        again.Signal(15);
        var stopped = await again.WaitForExitAsync();

        Assert.Equal(ListeningLine().Match(first).Groups[2].Value, ListeningLine().Match(second).Groups[2].Value);
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(data.Root));
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--port", "-1")]
    [InlineData("--port", "http")]
    [InlineData("--seed-files", "-3")]
    public async Task GraphDev_BadOption_ExitsUsageNamingIt(string option, string value)
    {
        var result = await CliRunner.RunAsync(Home.Root, "graph-dev", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("--graph-url")]
    [InlineData("SYNCFN_GRAPH_URL")]
    public async Task Sync_NonLoopbackGraphUrlWithoutCredentials_ExitsUsageBeforeContactingAnything(string how)
    {
        var home = NewTree("home-graph");
        var target = NewTree("dst");
        const string Url = "https://graph.example.invalid/v1.0";
        string[] args = ["sync", "graph:b!someDrive", target.Root, "--json"];

        await using var runner = CliRunner.Start(
            home.Root,
            how == "--graph-url" ? [.. args, "--graph-url", Url] : args,
            environment: how == "--graph-url" ? null : new Dictionary<string, string?> { ["SYNCFN_GRAPH_URL"] = Url });
        var result = await runner.WaitForExitAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(2, result.Long("exitCode"));
        Assert.Contains("no Graph credentials", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("AZURE_CLIENT_SECRET", result.Stderr, StringComparison.Ordinal);

        // No embedded Azurite was started and no state written: nothing was contacted.
        Assert.Empty(Directory.EnumerateFileSystemEntries(home.Root));
    }

    [Fact]
    public async Task Verify_DriveAgainstItsMirror_ReportsNoDifferencesThenOneEdit()
    {
        var server = await StartServerAsync(o => o.SeedFiles = 40);
        var target = NewTree("dst");
        var synced = await SyncfnAt(server, "sync", DriveEndpoint(server), target.Root, "--json");
        Assert.True(synced.ExitCode == 0, synced.ToString());

        var clean = await SyncfnAt(server, "verify", DriveEndpoint(server), target.Root, "--json");
        target.Write("t0000/s0/file000003.bin", "changed locally");
        var dirty = await SyncfnAt(server, "verify", DriveEndpoint(server), target.Root, "--json");

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal(1, dirty.ExitCode);
        Assert.Contains("t0000/s0/file000003.bin", dirty.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsJoin_DriveRun_JoinerRebuildsDriveStoreFromThePair()
    {
        const int Files = 3000;
        var server = await StartServerAsync(o => o.SeedFiles = Files);
        var container = NewContainer("g-join");
        await using var owner = StartSyncfnAt(server.BaseUrl, "sync", DriveEndpoint(server), $"blob:{container}", "--parallel", "1", "--json");
        var runId = await owner.WaitForRunIdAsync();

        // No --graph-url: the joiner takes the base URL from the pair's canonical endpoint.
        await using var joiner = StartSyncfn("runs", "join", runId, "--parallel", "4", "--json");
        var joined = await joiner.WaitForExitAsync();
        var owned = await owner.WaitForExitAsync();

        Assert.True(owned.ExitCode == 0, owned.ToString());
        Assert.True(joined.ExitCode == 0, joined.ToString());
        Assert.Contains($"run {runId} joined", joined.Stderr, StringComparison.Ordinal);
        Assert.True(joined.Long("transferredByThisProcess") > 0, joined.ToString());
        Assert.Equal(Files, owned.Long("transferredByThisProcess") + joined.Long("transferredByThisProcess"));
        Assert.Equal(DriveSnapshot(server), await BlobSnapshotAsync(container));
    }

    [GeneratedRegex(@"^graph-dev listening on (http://127\.0\.0\.1:\d+/v1\.0) drive (\S+)$")]
    private static partial Regex ListeningLine();
}

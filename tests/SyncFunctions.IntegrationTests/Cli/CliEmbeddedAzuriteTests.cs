using System.Text.RegularExpressions;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: without --storage syncfn starts (once) and reuses its own detached Azurite.</summary>
public sealed partial class CliEmbeddedAzuriteTests : IDisposable
{
    private readonly TestTree _home = TestTree.Create("home-embedded");
    private readonly TestTree _first = TestTree.Create("src1");
    private readonly TestTree _second = TestTree.Create("src2");

    [Fact]
    public async Task Sync_TwoStartedAtOnceWithoutStorage_ShareOneEmbeddedAzuriteThatStopStops()
    {
        _first.Write("one.txt", "1");
        _second.Write("two.txt", "2");
        try
        {
            var runs = await Task.WhenAll(
                CliRunner.RunAsync(_home.Root, "sync", _first.Root, "blob:embedded-one", "--json"),
                CliRunner.RunAsync(_home.Root, "sync", _second.Root, "blob:embedded-two", "--json"));
            var status = await CliRunner.RunAsync(_home.Root, "azurite", "status", "--json");
            var pid = status.Json.GetProperty("instance").GetProperty("pid").GetInt32();

            Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
            Assert.All(runs, r => Assert.Equal(pid, int.Parse(AzuritePid().Match(r.Stderr).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Single(runs, r => r.Stderr.Contains("Started the embedded Azurite", StringComparison.Ordinal));
            Assert.True(status.Json.GetProperty("running").GetBoolean());
            Assert.True(File.Exists(Path.Combine(_home.Root, "azurite.json")));
            Assert.True(Directory.Exists(Path.Combine(_home.Root, "azurite-data")));
        }
        finally
        {
            var stop = await CliRunner.RunAsync(_home.Root, "azurite", "stop", "--json");
            var after = await CliRunner.RunAsync(_home.Root, "azurite", "status", "--json");
            Assert.True(stop.Json.GetProperty("stopped").GetBoolean(), stop.ToString());
            Assert.False(after.Json.GetProperty("running").GetBoolean());
            Assert.False(File.Exists(Path.Combine(_home.Root, "azurite.json")));
        }
    }

    public void Dispose()
    {
        _home.Dispose();
        _first.Dispose();
        _second.Dispose();
    }

    [GeneratedRegex(@"embedded Azurite \(pid (\d+)")]
    private static partial Regex AzuritePid();
}

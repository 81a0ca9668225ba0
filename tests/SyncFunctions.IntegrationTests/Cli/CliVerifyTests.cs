using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: syncfn verify lists every difference and exits 1 when there is one.</summary>
[Collection("azurite")]
public sealed class CliVerifyTests : CliTestBase
{
    public CliVerifyTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    [Fact]
    public async Task Verify_AfterSync_CleanThenListsEveryDifference()
    {
        var source = NewTree("src");
        CliSyncTests.WriteAwkwardTree(source);
        var fileCount = source.Snapshot().Count;
        var container = NewContainer("verify");
        var sync = await Syncfn("sync", source.Root, $"blob:{container}", "--json");
        Assert.True(sync.ExitCode == 0, sync.ToString());

        var clean = await Syncfn("verify", source.Root, $"blob:{container}", "--json");
        var deepClean = await Syncfn("verify", source.Root, $"blob:{container}", "--deep");
        source.Write("plain.txt", "HELLO");
        source.Write("only-here.txt", "new");
        source.Delete("empty.txt");
        var dirty = await Syncfn("verify", source.Root, $"blob:{container}", "--json");
        var dirtyText = await Syncfn("verify", source.Root, $"blob:{container}");

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.True(clean.Json.GetProperty("isClean").GetBoolean());
        Assert.Equal(fileCount, clean.Long("compared"));
        Assert.True(deepClean.ExitCode == 0, deepClean.ToString());
        Assert.True(dirty.ExitCode == 1, dirty.ToString());
        var differences = dirty.Json.GetProperty("differences").EnumerateArray()
            .Select(d => (d.GetProperty("path").GetString(), d.GetProperty("kind").GetString()))
            .ToList();
        Assert.Equal(
            [("empty.txt", "ExtraAtDestination"), ("only-here.txt", "MissingAtDestination"), ("plain.txt", "HashDiffers")],
            differences);
        Assert.Equal(1, dirtyText.ExitCode);
        Assert.Contains("HashDiffers plain.txt", dirtyText.Stdout, StringComparison.Ordinal);
    }
}

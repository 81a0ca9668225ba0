using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: bad input gets a clear message and the documented exit code, before storage is touched.</summary>
[Collection("azurite")]
public sealed class CliValidationTests : CliTestBase
{
    public CliValidationTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    public async Task Sync_ParallelOutOfRange_ExitsUsageNamingParallel(string parallel)
    {
        var source = NewTree("src");

        var result = await Syncfn("sync", source.Root, "blob:never-created", "--parallel", parallel);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--parallel", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_BadConnectionString_ExitsUsageBeforeTouchingStorage()
    {
        var source = NewTree("src");
        source.Write("a.txt", "a");
        var home = NewTree("home-bad");

        var result = await CliRunner.RunAsync(
            home.Root, "sync", source.Root, "blob:never-created", "--storage", "AccountName=x;AccountKey=c2VjcmV0LWtleQ==;Bogus=1", "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--storage", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWtleQ", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, result.Long("exitCode"));

        // No embedded Azurite was started and no state written: nothing was contacted.
        Assert.Empty(Directory.EnumerateFileSystemEntries(home.Root));
    }

    [Fact]
    public async Task Sync_BadLedgerConnectionString_ExitsUsageNamingLedger()
    {
        var source = NewTree("src");

        var result = await Syncfn("sync", source.Root, "blob:never-created", "--ledger", "not a connection string");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--ledger", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_MissingSourceFolder_ExitsFatalWithClearMessage()
    {
        var missing = Path.Combine(Path.GetTempPath(), "syncfn-missing-" + Guid.NewGuid().ToString("N"));

        var result = await Syncfn("sync", missing, "blob:never-created");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"source folder '{missing}' does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--chunk-size", "4XB")]
    [InlineData("--max-delete", "ten")]
    public async Task Sync_BadOptionValue_ExitsUsageNamingOption(string option, string value)
    {
        var source = NewTree("src");

        var result = await Syncfn("sync", source.Root, "blob:never-created", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_BadContainerName_ExitsUsageNamingDestination()
    {
        var source = NewTree("src");

        var result = await Syncfn("sync", source.Root, "blob:Bad_Name");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("destination", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Always_DocumentsExitCodes()
    {
        var result = await CliRunner.RunAsync(Home.Root, "sync", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("143 terminated (SIGTERM)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--max-delete", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--parallel", "sync", "--all", "--parallel", "0")]
    [InlineData("--parallel", "sync", "--all", "--parallel", "101")]
    [InlineData("--all runs every named pair", "sync", "--all", "some-pair")]
    [InlineData("sync needs SOURCE DESTINATION", "sync")]
    [InlineData("pair name 'not/a/name'", "sync", "not/a/name")]
    public async Task Sync_BadPairArguments_ExitsUsageBeforeTouchingStorage(string expected, params string[] args)
    {
        var home = NewTree("home-pairs");

        var result = await CliRunner.RunAsync(home.Root, args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);

        // No embedded Azurite was started: nothing was contacted.
        Assert.Empty(Directory.EnumerateFileSystemEntries(home.Root));
    }
}

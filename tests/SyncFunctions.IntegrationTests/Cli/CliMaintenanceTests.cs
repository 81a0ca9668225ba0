using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary><c>syncfn maintenance</c>: options, the dry run's JSON report, usage errors, the leftovers of a killed large upload.</summary>
[Collection("azurite")]
public sealed class CliMaintenanceTests(AzuriteFixture azurite) : CliTestBase(azurite)
{
    [Fact]
    public async Task Maintenance_DryRunJson_ReportsCountsAndRemovesNothing()
    {
        var result = await Syncfn("maintenance", "--dry-run", "--retention", "3650", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Json.GetProperty("dryRun").GetBoolean());
        Assert.Equal(3650, result.Json.GetProperty("retentionDays").GetDouble());
        Assert.Equal(0, result.Json.GetProperty("exitCode").GetInt32());
        var counts = result.Json.GetProperty("counts");
        foreach (var name in new[] { "runs", "workItems", "actions", "stagingAreas", "releasedLeases", "abandonedRuns" })
        {
            Assert.True(counts.TryGetProperty(name, out _), $"no {name} in {counts}");
        }
    }

    [Fact]
    public async Task Maintenance_CancelledRunKilledMidLargeUpload_ReportsUncommittedBlocksWithBytesAndRemovesThem()
    {
        var source = NewTree("src");
        source.Write("large.bin", TestTree.RandomBytes(24 * 1024 * 1024, seed: 24));
        var container = NewContainer("mirrorgc");
        string runId;
        await using (var first = StartSyncfn("sync", source.Root, $"blob:{container}", "--chunk-size", "1MiB", "--parallel", "1", "--verbose"))
        {
            runId = await first.WaitForRunIdAsync();
            await first.WaitForStderrCountAsync(l => l.Contains("Staged block ", StringComparison.Ordinal), 3);
            await first.KillHardAsync();
        }

        var blob = Container(container).GetBlockBlobClient("large.bin");
        var staged = await UncommittedAsync(blob);
        var cancel = await Syncfn("runs", "cancel", runId, "--json");
        var young = await Syncfn("maintenance", "--dry-run", "--json");
        var dry = await Syncfn("maintenance", "--dry-run", "--leftover-age", "0s", "--json");
        var text = await Syncfn("maintenance", "--dry-run", "--leftover-age", "0s");
        var stagedAfterDryRun = await UncommittedAsync(blob);
        var real = await Syncfn("maintenance", "--leftover-age", "0s", "--json");

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.True(staged.Count >= 3, $"expected at least 3 staged blocks after the kill, found {staged.Count}");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.True(real.ExitCode == 0, real.ToString());
        Assert.DoesNotContain(young.Json.GetProperty("destinationLeftovers").EnumerateArray(), l => l.GetProperty("runId").GetString() == runId);
        var expected = (Path: "large.bin", Kind: "UncommittedBlocks", Count: (long)staged.Count, Bytes: staged.Sum(b => b.SizeLong), Kept: (string?)null);
        Assert.Equal(expected, LeftoverOf(dry, runId));
        Assert.Equal(staged.Count, stagedAfterDryRun.Count);
        Assert.Contains($"large.bin (pair ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains($"run {runId}): {staged.Count} uncommitted blocks, {expected.Bytes} bytes: would remove", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(expected, LeftoverOf(real, runId));
        var totals = real.Json.GetProperty("counts").GetProperty("uncommittedBlocks");
        Assert.True(totals.GetProperty("removedBytes").GetInt64() >= expected.Bytes, totals.ToString());
        Assert.Empty(await UncommittedAsync(blob));
        Assert.False((await blob.ExistsAsync()).Value);
        var again = await Syncfn("maintenance", "--leftover-age", "0s", "--json");
        Assert.DoesNotContain(again.Json.GetProperty("destinationLeftovers").EnumerateArray(), l => l.GetProperty("runId").GetString() == runId);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("36501")]
    [InlineData("x")]
    public async Task Maintenance_BadRetention_IsAUsageError(string days)
    {
        var result = await Syncfn("maintenance", "--retention", days);

        Assert.True(result.ExitCode == 2, result.ToString());
    }

    private static (string? Path, string? Kind, long Count, long Bytes, string? Kept) LeftoverOf(CliResult result, string runId)
    {
        var leftover = Assert.Single(result.Json.GetProperty("destinationLeftovers").EnumerateArray(), l => l.GetProperty("runId").GetString() == runId);
        return (leftover.GetProperty("path").GetString(), leftover.GetProperty("kind").GetString(), leftover.GetProperty("count").GetInt64(), leftover.GetProperty("bytes").GetInt64(),
            leftover.TryGetProperty("kept", out var kept) && kept.ValueKind == JsonValueKind.String ? kept.GetString() : null);
    }

    /// <summary>The blob's uncommitted blocks (none when neither blob nor blocks exist).</summary>
    private static async Task<List<BlobBlock>> UncommittedAsync(BlockBlobClient blob)
    {
        try
        {
            return [.. (await blob.GetBlockListAsync(BlockListTypes.All)).Value.UncommittedBlocks];
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }
}

using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary><c>syncfn maintenance</c>: options, the dry run's JSON report, usage errors.</summary>
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

    [Theory]
    [InlineData("0")]
    [InlineData("36501")]
    [InlineData("x")]
    public async Task Maintenance_BadRetention_IsAUsageError(string days)
    {
        var result = await Syncfn("maintenance", "--retention", days);

        Assert.True(result.ExitCode == 2, result.ToString());
    }
}

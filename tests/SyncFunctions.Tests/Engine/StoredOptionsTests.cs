using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Tests.Engine;

/// <summary>The run row's stored options: the exact format (a golden string), the round trip, and older rows.</summary>
public sealed class StoredOptionsTests
{
    private const string Golden = "{\"chunkSize\":8388608,\"force\":true,\"maxDelete\":\"10%\",\"parallel\":7,\"dryRun\":false,\"expectedPlan\":\"sha256:abc\"}";

    private static readonly SyncOptions Full = new()
    {
        ChunkSize = 8 * 1024 * 1024,
        Force = true,
        MaxDelete = new MaxDeleteLimit(null, 10),
        Parallel = 7,
        ExpectedPlan = "sha256:abc",
    };

    [Fact]
    public void ToJson_EveryStoredOption_MatchesTheGoldenFormat() => Assert.Equal(Golden, StoredOptions.ToJson(Full));

    [Fact]
    public void Restore_GoldenFormat_GivesTheOptionsBack() =>
        Assert.Equal(Full, StoredOptions.Restore(Golden, new SyncOptions()));

    [Fact]
    public void Restore_RowWrittenBeforeExpectedPlanAndDryRun_ReadsThemAsUnset()
    {
        var restored = StoredOptions.Restore("{\"chunkSize\":4194304,\"force\":false,\"parallel\":16}", new SyncOptions { DryRun = true, ExpectedPlan = "x" });

        Assert.False(restored.DryRun);
        Assert.Null(restored.ExpectedPlan);
        Assert.Equal("{\"chunkSize\":4194304,\"force\":false,\"parallel\":16,\"dryRun\":false}", StoredOptions.ToJson(new SyncOptions()));
    }
}

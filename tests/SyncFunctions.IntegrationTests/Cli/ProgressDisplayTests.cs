using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.IntegrationTests.Cli;

public sealed class ProgressDisplayTests
{
    [Fact]
    public void Describe_EngineSaysWhatItDoes_PrintsPhaseAndMessageOnly()
    {
        var p = new SyncProgress("enumerate", 0, 0, 0, 0, ObserveDone: false, Message: "84,234 changes read from the change feed");

        Assert.Equal("enumerate: 84,234 changes read from the change feed", ProgressDisplay.Describe(p, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Describe_Transfer_PrintsFilesBytesAndRate()
    {
        var p = new SyncProgress("transfer", 120, 2000, 1024, 4096, ObserveDone: false);

        Assert.Equal("transfer 120/2,000+ files, 1 KiB of 4 KiB, 512 B/s", ProgressDisplay.Describe(p, TimeSpan.FromSeconds(2)));
    }
}

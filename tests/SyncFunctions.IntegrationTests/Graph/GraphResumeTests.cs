using SyncFunctions.GraphDev;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>End-to-end: kill -9 in the middle of a large download from a drive and of a large upload session to one.</summary>
[Collection("azurite")]
public sealed class GraphResumeTests : GraphCliTestBase
{
    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(10);

    public GraphResumeTests(AzuriteFixture azurite)
        : base(azurite)
    {
    }

    [Fact]
    public async Task Sync_KilledDuringUploadSession_ResumesSameSessionWithoutResendingFragments()
    {
        const int Size = 24 * 1024 * 1024;
        const int Fragment = 3 * 320 * 1024; // --chunk-size 1MiB rounded down to a multiple of 320 KiB
        const int Fragments = (Size + Fragment - 1) / Fragment;
        const int BeforeKill = 5;
        var server = await StartServerAsync();
        var source = NewTree("src");
        source.Write("big.bin", TestTree.RandomBytes(Size, seed: 61));
        string[] args = ["sync", source.Root, DriveEndpoint(server, "up"), "--chunk-size", "1MiB", "--parallel", "1"];

        // Fragment BeforeKill + 1 is held at the server (never applied), so the kill lands mid-session.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var puts = 0;
        server.Faults.Delay(1, Hold, r =>
        {
            if (r.Route != GraphRoute.UploadSession || r.Method != "PUT" || Interlocked.Increment(ref puts) <= BeforeKill)
            {
                return false;
            }

            held.TrySetResult();
            return true;
        });
        string runId;
        await using (var first = StartSyncfnAt(server.BaseUrl, [.. args, "--verbose"]))
        {
            runId = await first.WaitForRunIdAsync();
            await first.WaitForStderrAsync(l => l.Contains($"Staged chunk {BeforeKill}/{Fragments} of big.bin", StringComparison.Ordinal));
            await held.Task.WaitAsync(CliRunner.DefaultTimeout);
            await first.KillHardAsync();
        }

        var sessionsBeforeResume = server.UploadSessionCount;
        server.Faults.Clear();
        await using var second = StartSyncfnAt(server.BaseUrl, [.. args, "--json", "--verbose"]);
        var resumed = await second.WaitForExitAsync();

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"run {runId} resumed", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, sessionsBeforeResume);
        Assert.Equal(1, server.RequestLog.Count(GraphRoute.CreateUploadSession));
        Assert.Equal((long)BeforeKill * Fragment, resumed.Long("resumedBytes"));
        Assert.Equal((long)Size - (BeforeKill * Fragment), resumed.Long("bytesTransferred"));

        // Every fragment reached the server once; the held one was never applied (its connection died with the process).
        Assert.Equal(Fragments, server.RequestLog.Count(GraphRoute.UploadSession, "PUT") - server.Faults.Injected);
        Assert.Equal(1, server.Faults.Injected);
        Assert.Equal(source.Snapshot(), DriveSnapshot(server, "up"));
    }

    [Fact]
    public async Task Sync_KilledDuringLargeDownload_ResumesWithRangeAndIsByteIdentical()
    {
        const int Size = 40 * 1024 * 1024;
        const int StallAt = 12 * 1024 * 1024;
        var server = await StartServerAsync();
        WriteDriveFile(server, "big/large.bin", TestTree.RandomBytes(Size, seed: 71));
        WriteDriveFile(server, "small.txt", "small"u8.ToArray());

        // Downloads pass through the proxy, which holds the body after StallAt bytes: the kill lands mid-transfer.
        var proxy = Track(await StallingProxy.StartAsync(server, StallAt));
        var target = NewTree("dst");
        var partial = Path.Combine(target.Root, "big", ".large.bin.syncfn-partial");
        string[] args = ["sync", DriveEndpoint(server), $"local:{target.Root}", "--parallel", "1"];
        string runId;
        await using (var first = StartSyncfnAt(proxy.BaseUrl, [.. args, "--verbose"]))
        {
            runId = await first.WaitForRunIdAsync();
            await proxy.Stalled.WaitAsync(CliRunner.DefaultTimeout);
            await FileWaits.WaitForLengthAsync(partial, StallAt / 2, CliRunner.DefaultTimeout);
            await first.KillHardAsync();
        }

        var partialLength = new FileInfo(partial).Length;
        proxy.StopStalling();
        await using var second = StartSyncfnAt(proxy.BaseUrl, [.. args, "--json", "--verbose"]);
        var resumed = await second.WaitForExitAsync();

        Assert.InRange(partialLength, StallAt / 2, StallAt);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"run {runId} resumed", resumed.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Resuming download of big/large.bin at byte {partialLength}", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal(partialLength, resumed.Long("resumedBytes"));
        Assert.Equal(DriveSnapshot(server), target.Snapshot());
    }

    /// <remarks>
    /// With <paramref name="driveReportsSha256"/> false (OneDrive for Business reports only quickXorHash) this test
    /// fails today: the engine adopts an identical destination object only by SHA-256, so the file that landed
    /// just before the kill is failed as "destination changed" on every later run (see the report to the lead).
    /// </remarks>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sync_KilledAfterUploadLandedUnacknowledged_ResumeAdoptsIdenticalFile(bool driveReportsSha256)
    {
        var server = await StartServerAsync(o => o.IncludeShaHashes = driveReportsSha256);
        var proxy = Track(await StallingProxy.StartAsync(server, long.MaxValue));
        var source = NewTree("src");
        source.Write("a.txt", "first file");
        source.Write("b.txt", "second file");
        source.Write("c.txt", "third file");

        // a.txt reaches the drive, but its response never reaches syncfn: the kill lands between write and record.
        var landed = proxy.HoldResponse(r => r.Method == "PUT" && r.Path.Value!.EndsWith("/a.txt:/content", StringComparison.Ordinal));
        string[] args = ["sync", source.Root, DriveEndpoint(server), "--parallel", "1"];
        string runId;
        await using (var first = StartSyncfnAt(proxy.BaseUrl, args))
        {
            runId = await first.WaitForRunIdAsync();
            await landed.WaitAsync(CliRunner.DefaultTimeout);
            await first.KillHardAsync();
        }

        await using var second = StartSyncfnAt(proxy.BaseUrl, [.. args, "--json"]);
        var resumed = await second.WaitForExitAsync();

        Assert.NotNull(server.Drive.GetByPath("a.txt"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"run {runId} resumed", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal(source.Snapshot(), DriveSnapshot(server));
    }
}

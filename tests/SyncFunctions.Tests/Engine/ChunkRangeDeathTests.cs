using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

/// <summary>
/// Workers that die while they stage a large file's chunk ranges: a death after a staged chunk is progress (the range
/// goes on where it stopped); only deaths in a row without a staged chunk give the file up, with the reason on its row.
/// </summary>
public sealed class ChunkRangeDeathTests : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-ranges-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly InMemoryLedger _ledger = new();
    private readonly InMemoryObjectStore _destination;
    private readonly AsyncLocal<int> _process = new();
    private readonly HashSet<int> _dead = [];
    private readonly Dictionary<int, int> _stagedBy = [];

    public ChunkRangeDeathTests()
    {
        _destination = new InMemoryObjectStore(_time);
        _ledger.BeforeOperation = (_, _) => EnterAsync(null);
        _destination.BeforeOperation = (op, _, _) => EnterAsync(op);

        // Eight chunks: two ranges of four.
        File.WriteAllBytes(Path.Join(_root, "big.bin"), EngineHarness.Content(7, 8 * ChunkSize));
        File.WriteAllBytes(Path.Join(_root, "small.txt"), EngineHarness.Content(8, 300));
    }

    /// <summary>How many chunks a worker process stages before it dies at its next one (null: it never dies).</summary>
    private int? StagesBeforeDeath { get; set; }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task StageChunkRange_WorkerDiesAfterEveryStagedChunk_DeathsCountAsProgressAndTheFileArrives()
    {
        StagesBeforeDeath = 1;

        var (final, failures, deaths) = await DriveAsync();

        Assert.Equal(RunStatus.Succeeded, final.Status);
        Assert.Empty(failures);
        Assert.Equal(File.ReadAllBytes(Path.Join(_root, "big.bin")), _destination.TryGet("big.bin"));

        // Three deaths per range, each after a new chunk: all three would once have counted as deaths without progress.
        Assert.True(deaths >= 6, $"only {deaths} worker deaths");
    }

    [Fact]
    public async Task CommitLargeFile_RangeWorkersDieBeforeStagingAnything_FileFailedWithTheReasonOnItsRow()
    {
        StagesBeforeDeath = 0;

        var (final, failures, deaths) = await DriveAsync();

        // For each range: three deaths isolate it, three more while it ran alone give it up.
        Assert.Equal(12, deaths);
        Assert.Equal(RunStatus.CompletedWithFailures, final.Status);
        var failure = Assert.Single(failures);
        Assert.Equal("big.bin", failure.Path);
        Assert.Contains("chunk range", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("without staging a chunk", failure.Reason, StringComparison.Ordinal);
        Assert.NotNull(_destination.TryGet("small.txt"));
        Assert.Null(_destination.TryGet("big.bin"));
    }

    /// <summary>
    /// A process that dies holding both ranges of the file, again and again: a kill -9 of a busy process. Neither range
    /// is to blame, so neither is given up: they are isolated, and a process that runs each alone finishes the file.
    /// </summary>
    [Fact]
    public async Task StageChunkRange_ProcessDiesHoldingBothRanges_RangesIsolatedNotGivenUp()
    {
        StagesBeforeDeath = 0;
        var pair = new PairRecord("p-ranges", "local:" + _root, "memory:" + _destination.StoreId);
        var source = new LocalFolderStore(_root, _time);
        RunSteps Steps(int pid) => new(_ledger, source, _destination, new EngineEnvironment(_time, new OwnerIdentity("h", pid, _time.GetUtcNow()), new UnknownLiveness()), parallel: 2);
        _process.Value = 1;
        var coordinator = Steps(1);
        var run = await OneItemPerProcess.PlanAsync(coordinator, pair, new SyncOptions { Parallel = 2, ChunkSize = ChunkSize });

        // Both ranges claimed, then the process dies at its first staged chunk (both in flight, as in a kill -9).
        TaskCompletionSource bothStaging = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        _destination.BeforeOperation = async (op, _, _) =>
        {
            await EnterAsync(null);
            if (op == InMemoryObjectStore.Ops.StageChunk && _process.Value != 1 && StagesBeforeDeath is not null)
            {
                if (Interlocked.Increment(ref arrived) == 2)
                {
                    bothStaging.TrySetResult();
                }

                await bothStaging.Task;
                lock (_dead)
                {
                    _dead.Add(_process.Value);
                }

                throw new HostDied();
            }
        };

        List<WorkItemTicket> ranges = [];
        for (var pid = 2; pid <= 9; pid++)
        {
            await coordinator.RenewCoordinatorLeaseAsync(run, default);
            ranges = [.. (await coordinator.CheckCompletionAsync(run, default)).Claimable.Where(t => t.Kind == WorkItemKind.ChunkRange)];
            Assert.Equal(2, ranges.Count);
            (arrived, bothStaging) = (0, new(TaskCreationOptions.RunContinuationsAsynchronously));
            var worker = pid;
            await Task.WhenAll(ranges.Select(range => Task.Run(async () =>
            {
                _process.Value = worker;
                await Assert.ThrowsAsync<HostDied>(() => Steps(worker).ExecuteWorkItemAsync(new WorkRef(pair.PairId, run.RunId, range.ItemId, $"h:{worker}:w{range.ItemId}"), default));
            })));
            _time.Advance(TimeSpan.FromSeconds(70));
        }

        ranges = [.. (await coordinator.CheckCompletionAsync(run, default)).Claimable.Where(t => t.Kind == WorkItemKind.ChunkRange)];
        // Eight deaths next to another item: isolated after three, and five weigh less than a give-up.
        Assert.All(ranges, r => Assert.True(r.Isolate, $"range {r.ItemId} is not isolated"));
        StagesBeforeDeath = null;
        var (final, failures, _) = await OneItemPerProcess.DriveAsync(run, Steps, _process, _time, firstPid: 10);

        Assert.Empty(failures);
        Assert.Equal(RunStatus.Succeeded, final.Status);
        Assert.Equal(File.ReadAllBytes(Path.Join(_root, "big.bin")), _destination.TryGet("big.bin"));
    }

    private Task<(FinalizeResult Final, IReadOnlyList<PathProblem> Failures, int Deaths)> DriveAsync()
    {
        var pair = new PairRecord("p-ranges", "local:" + _root, "memory:" + _destination.StoreId);
        var source = new LocalFolderStore(_root, _time);
        RunSteps Steps(int pid) => new(_ledger, source, _destination, new EngineEnvironment(_time, new OwnerIdentity("h", pid, _time.GetUtcNow()), new UnknownLiveness()), parallel: 1);
        return OneItemPerProcess.DriveAsync(pair, new SyncOptions { Parallel = 1, ChunkSize = ChunkSize }, Steps, _process, _time);
    }

    private Task EnterAsync(string? operation)
    {
        lock (_dead)
        {
            var pid = _process.Value;
            if (_dead.Contains(pid))
            {
                throw new HostDied();
            }

            if (operation == InMemoryObjectStore.Ops.StageChunk && pid != 1 && StagesBeforeDeath is { } limit)
            {
                var staged = _stagedBy.GetValueOrDefault(pid);
                if (staged >= limit)
                {
                    _dead.Add(pid);
                    throw new HostDied(); // the worker process dies: no release, no cleanup
                }

                _stagedBy[pid] = staged + 1;
            }
        }

        return Task.CompletedTask;
    }
}

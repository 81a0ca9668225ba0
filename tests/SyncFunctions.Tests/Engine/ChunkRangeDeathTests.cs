using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Engine;
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

        var (final, failures, _) = await DriveAsync();

        Assert.Equal(RunStatus.CompletedWithFailures, final.Status);
        var failure = Assert.Single(failures);
        Assert.Equal("big.bin", failure.Path);
        Assert.Contains("chunk range", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("without staging a chunk", failure.Reason, StringComparison.Ordinal);
        Assert.NotNull(_destination.TryGet("small.txt"));
        Assert.Null(_destination.TryGet("big.bin"));
    }

    /// <summary>
    /// A coordinator plans and fans in; every item runs in a new worker process (no release, no cleanup when it dies),
    /// and a dead worker's lease runs out on the fake clock.
    /// </summary>
    private async Task<(FinalizeResult Final, IReadOnlyList<PathProblem> Failures, int Deaths)> DriveAsync()
    {
        var pair = new PairRecord("p-ranges", "local:" + _root, "memory:" + _destination.StoreId);
        var source = new LocalFolderStore(_root, _time);
        var options = new SyncOptions { Parallel = 1, ChunkSize = ChunkSize };
        RunSteps Steps(int pid) => new(_ledger, source, _destination, new EngineEnvironment(_time, new OwnerIdentity("h", pid, _time.GetUtcNow()), new UnknownLiveness()), parallel: 1);

        _process.Value = 1;
        var coordinator = Steps(1);
        var start = await coordinator.StartRunAsync(new StartRunRequest(pair, options, "coordinator"), default);
        var run = new RunRef(pair.PairId, start.RunId!, "coordinator");
        while ((await coordinator.ObserveAsync(run, long.MaxValue, null, default)).More)
        {
        }

        var deaths = 0;
        for (var pid = 2; pid < 200; pid++)
        {
            await coordinator.RenewCoordinatorLeaseAsync(run, default);
            var check = await coordinator.CheckCompletionAsync(run, default);
            if (check.Complete)
            {
                break;
            }

            if (check.Claimable.Count == 0)
            {
                _time.Advance(TimeSpan.FromSeconds(70)); // the dead worker's lease runs out
                continue;
            }

            var worker = pid;
            var died = await Task.Run(async () =>
            {
                _process.Value = worker;
                try
                {
                    await Steps(worker).ExecuteWorkItemAsync(new WorkRef(pair.PairId, run.RunId, check.Claimable[0].ItemId, $"h:{worker}:w"), default);
                    return false;
                }
                catch (HostDied)
                {
                    return true;
                }
            });
            deaths += died ? 1 : 0;
        }

        var final = await coordinator.FinalizeAsync(run, default);
        var (failures, _) = await coordinator.ListProblemsAsync(run.RunId, 100, default);
        return (final, failures, deaths);
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

    /// <summary>Cross-host liveness is unknown: the leases alone tell a dead worker.</summary>
    private sealed class UnknownLiveness : IOwnerLiveness
    {
        public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
    }

    private sealed class HostDied : Exception
    {
        public HostDied()
            : base("simulated host death")
        {
        }
    }
}

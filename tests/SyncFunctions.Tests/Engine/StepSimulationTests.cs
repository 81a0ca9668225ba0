using CsCheck;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

/// <summary>
/// The run steps driven the way a Durable host would: three simulated hosts call them in a random (seeded) order,
/// with duplicate and concurrent calls of the same step, and hosts that die at any ledger or store call (before it,
/// or after it took effect) and come back as new processes. The result must equal a single-process run.
/// </summary>
public sealed class StepSimulationTests
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>A scenario: the source, how many hosts die (at which of their calls), and the schedule's seed.</summary>
    public sealed record Scenario(int SmallFiles, int LargeFiles, IReadOnlyList<int> CrashAtCall, bool CrashAfter, int Seed)
    {
        public override string ToString() => $"new Scenario({SmallFiles}, {LargeFiles}, [{string.Join(", ", CrashAtCall)}], {(CrashAfter ? "true" : "false")}, {Seed})";
    }

    private static readonly Gen<Scenario> ScenarioGen =
        Gen.Select(Gen.Int[1, 14], Gen.Int[0, 2], Gen.Int[1, 90].Array[0, 2], Gen.Bool, Gen.Int)
            .Select((small, large, crashes, after, seed) => new Scenario(small, large, crashes, after, seed));

    [Fact]
    public async Task Steps_ThreeHostsInRandomOrderWithDuplicatesAndCrashes_EqualTheSingleProcessResult()
    {
        await ScenarioGen.SampleAsync(
            async scenario =>
            {
                using var source = new TempTree();
                Seed(source, scenario);
                var reference = await RunSingleProcessAsync(source.Root);

                var sim = new Simulation(source.Root, scenario);
                await sim.RunAsync();

                Assert.Equal(Describe(source.Snapshot()), Describe(sim.Destination.Snapshot()));
                Assert.Equal(reference, BaselineOf(sim.Ledger, sim.Pair));
                foreach (var path in sim.Destination.Paths)
                {
                    // A write that landed before its host died is adopted by the next claimer, not written again.
                    Assert.True(sim.Destination.WriteCount(path) <= 1 + sim.LandedBeforeCrash(path), $"{path} written {sim.Destination.WriteCount(path)} times ({scenario})");
                }

                var run = (await sim.Ledger.ListRunsAsync(sim.Pair.PairId, default).ToListAsync()).Single(r => r.Status != RunStatus.Running && r.TotalActions > 0);
                Assert.True(run.Status == RunStatus.Succeeded, $"{run.Status}: {run.FailedActions} failed ({scenario})");
            },
            iter: 100,
            threads: 1);
    }

    [Fact]
    public async Task ExecuteWorkItem_OneFileKillsEveryWorker_OnlyThatFileIsGivenUpAndTheRestArrive()
    {
        using var source = new TempTree();
        for (var i = 0; i < 40; i++)
        {
            source.Write($"f/{i:D2}.txt", EngineHarness.Content(i, 200));
        }

        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var ledger = new InMemoryLedger();
        var destination = new InMemoryObjectStore(time);
        var store = new LocalFolderStore(source.Root, time);
        var pair = new PairRecord("p-bisect", "local:" + source.Root, "memory:" + destination.StoreId);
        var process = new AsyncLocal<int>();
        var dead = new HashSet<int>();
        Task Enter(string? path)
        {
            lock (dead)
            {
                if (dead.Contains(process.Value) || path == "f/17.txt")
                {
                    dead.Add(process.Value);
                    throw new HostDied(); // the worker process dies: no release, no cleanup
                }
            }

            return Task.CompletedTask;
        }

        ledger.BeforeOperation = (_, _) => Enter(null);
        destination.BeforeOperation = (_, path, _) => Enter(path);
        RunSteps Steps(int pid) => new(ledger, store, destination, new EngineEnvironment(time, new OwnerIdentity("h", pid, time.GetUtcNow()), new UnknownLiveness()), parallel: 1);

        var (final, failures, deaths) = await OneItemPerProcess.DriveAsync(pair, new SyncOptions { Parallel = 1 }, Steps, process, time, maxDeaths: 60);

        Assert.Equal(RunStatus.CompletedWithFailures, final.Status);
        var failure = Assert.Single(failures);
        Assert.Equal("f/17.txt", failure.Path);
        Assert.Contains("died", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(39, destination.Paths.Count);
        Assert.DoesNotContain("f/17.txt", destination.Paths);
        Assert.True(deaths < 30, $"{deaths} worker deaths to isolate one file of 40");
    }

    private static void Seed(TempTree tree, Scenario scenario)
    {
        for (var i = 0; i < scenario.SmallFiles; i++)
        {
            tree.Write($"d{i % 3}/s{i:D3}.txt", EngineHarness.Content(i, 100 + (i * 37 % 900)));
        }

        for (var i = 0; i < scenario.LargeFiles; i++)
        {
            // Five chunks: two chunk ranges of up to four chunks each.
            tree.Write($"big/l{i}.bin", EngineHarness.Content(1000 + i, (4 * ChunkSize) + 1000 + i));
        }
    }

    /// <summary>A source folder under the temp directory, removed at the end.</summary>
    private sealed class TempTree : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("syncfn-sim-").FullName;

        public void Write(string relative, byte[] content)
        {
            var path = Path.Join(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }

        public IReadOnlyDictionary<string, byte[]> Snapshot() =>
            Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllBytes, StringComparer.Ordinal);

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private static async Task<List<string>> RunSingleProcessAsync(string root)
    {
        var ledger = new InMemoryLedger();
        var destination = new InMemoryObjectStore();
        var sourceStore = new LocalFolderStore(root, TimeProvider.System);
        var pair = new PairRecord(PairIdentity.Compute("local:" + root, "memory:" + destination.StoreId), "local:" + root, "memory:" + destination.StoreId);
        var driver = Core.InProcess.InProcessDriver.WithRetries(ledger, sourceStore, destination, new EngineEnvironment(TimeProvider.System, new OwnerIdentity("ref", 1, DateTimeOffset.UnixEpoch), new UnknownLiveness()));
        var summary = await driver.SyncAsync(pair, new SyncOptions { Parallel = 2, ChunkSize = ChunkSize }, default);
        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        return BaselineOf(ledger, pair);
    }

    private static List<string> BaselineOf(InMemoryLedger ledger, PairRecord pair) =>
        [.. ledger.BaselineSnapshot(pair.PairId).Select(b => $"{b.Path} {b.Size} {b.Sha256}").Order(StringComparer.Ordinal)];

    private static List<string> Describe(IReadOnlyDictionary<string, byte[]> files) =>
        [.. files.Select(f => $"{f.Key} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f.Value))}").Order(StringComparer.Ordinal)];

    /// <summary>One simulated process: its own steps (and process resources), its worker ids, its role.</summary>
    private sealed class Host
    {
        public required int Index { get; init; }

        public required RunSteps Steps { get; init; }

        public required OwnerIdentity Owner { get; init; }

        public string? CoordinatorOf { get; set; }

        public string CoordinatorId { get; } = Guid.NewGuid().ToString("N");

        public volatile bool Dead;

        public volatile bool DieAfterThisCall;

        public string WorkerId(int n) => $"{Owner.Host}:{Owner.Pid}:w{n}";
    }

    private sealed class Simulation
    {
        private static readonly AsyncLocal<Host?> Current = new();
        private readonly Scenario _scenario;
        private readonly Random _random;
        private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        private readonly LocalFolderStore _source;
        private readonly Host?[] _hosts = new Host?[3];
        private readonly Dictionary<string, int> _landed = new(StringComparer.Ordinal);
        private readonly object _gate = new();
        private int _calls;
        private int _crashIndex;
        private int _nextPid = 100;

        public Simulation(string root, Scenario scenario)
        {
            _scenario = scenario;
            _random = new Random(scenario.Seed);
            _source = new LocalFolderStore(root, _time);
            Destination = new InMemoryObjectStore(_time);
            Pair = new PairRecord(PairIdentity.Compute("local:" + root, "memory:" + Destination.StoreId), "local:" + root, "memory:" + Destination.StoreId);
            Ledger.BeforeOperation = (op, _) => EnterAsync(op, null);
            Destination.BeforeOperation = (op, path, _) => EnterAsync(op, path);
        }

        public InMemoryLedger Ledger { get; } = new();

        public InMemoryObjectStore Destination { get; }

        public PairRecord Pair { get; }

        public int LandedBeforeCrash(string path)
        {
            lock (_gate)
            {
                return _landed.GetValueOrDefault(path);
            }
        }

        public async Task RunAsync()
        {
            for (var round = 0; round < 3000; round++)
            {
                var pair = await Ledger.GetPairAsync(Pair.PairId, default);
                var runs = await Ledger.ListRunsAsync(Pair.PairId, default).ToListAsync();
                if (runs.Count > 0 && pair?.ActiveRunId is null && runs.All(r => r.Status != RunStatus.Running))
                {
                    return;
                }

                // Every host makes one call this round, concurrently; sometimes two hosts make the same call.
                var calls = new List<Task>();
                string? shared = null;
                for (var i = 0; i < _hosts.Length; i++)
                {
                    var host = _hosts[i] is { Dead: false } alive ? alive : _hosts[i] = NewHost(i);
                    var choice = _random.Next(100);
                    var ticket = choice < 20 && shared is not null ? shared : null;
                    calls.Add(CallAsync(host, ticket, _random.Next()).ContinueWith(t => shared ??= t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default));
                }

                await Task.WhenAll(calls);

                // Time passes between rounds: sometimes past a lease, so claims of dead hosts can be taken over.
                _time.Advance(TimeSpan.FromSeconds(_random.Next(100) < 15 ? 70 : _random.Next(0, 12)));
            }

            Assert.Fail($"the run did not end within 3000 rounds ({_scenario})");
        }

        private Host NewHost(int index)
        {
            var owner = new OwnerIdentity($"host{index}", Interlocked.Increment(ref _nextPid), _time.GetUtcNow());
            var env = new EngineEnvironment(_time, owner, new UnknownLiveness());
            return new Host { Index = index, Owner = owner, Steps = new RunSteps(Ledger, _source, Destination, env, parallel: 2) };
        }

        /// <summary>One step call by <paramref name="host"/>; returns an item id it worked on (for a duplicate call by another host).</summary>
        private async Task<string?> CallAsync(Host host, string? duplicateOf, int pick)
        {
            Current.Value = host;
            try
            {
                var pair = await Ledger.GetPairAsync(Pair.PairId, default);
                var runId = pair?.ActiveRunId;
                if (runId is null || host.CoordinatorOf is null && pick % 4 == 0)
                {
                    var start = await host.Steps.StartRunAsync(new StartRunRequest(Pair, new SyncOptions { Parallel = 2, ChunkSize = ChunkSize }, host.CoordinatorId), default);
                    if (start.Kind is StartKind.Started or StartKind.Resumed)
                    {
                        host.CoordinatorOf = start.RunId;
                    }

                    return null;
                }

                var run = new RunRef(Pair.PairId, runId, host.CoordinatorId);
                if (host.CoordinatorOf == runId)
                {
                    var lease = await host.Steps.RenewCoordinatorLeaseAsync(run, default);
                    if (!lease.Held)
                    {
                        host.CoordinatorOf = null;
                        return null;
                    }

                    var observe = await host.Steps.ObserveAsync(run, 1 + (pick % 7), null, default);
                    if (observe.More)
                    {
                        return null;
                    }
                }

                var check = await host.Steps.CheckCompletionAsync(run, default);
                if (check.Complete && host.CoordinatorOf == runId)
                {
                    await host.Steps.FinalizeAsync(run, default);
                    return null;
                }

                var itemId = duplicateOf ?? (check.Claimable.Count == 0 ? null : check.Claimable[pick % check.Claimable.Count].ItemId);
                if (itemId is null)
                {
                    return null;
                }

                var result = await host.Steps.ExecuteWorkItemAsync(new WorkRef(Pair.PairId, runId, itemId, host.WorkerId(pick % 2)), default);
                if (result.CommitReady is { } parent)
                {
                    await host.Steps.ExecuteWorkItemAsync(new WorkRef(Pair.PairId, runId, parent, host.WorkerId(0)), default);
                }

                return itemId;
            }
            catch (HostDied)
            {
                return null;
            }
            catch (Exception) when (host.Dead)
            {
                // Whatever the death surfaced as (wrapped, cancelled): the process is gone.
                return null;
            }
            finally
            {
                Current.Value = null;
            }
        }

        /// <summary>Every ledger and destination call of a host passes here: a dead host's calls fail; the scheduled one kills it.</summary>
        private Task EnterAsync(string op, string? path)
        {
            if (Current.Value is not { } host)
            {
                return Task.CompletedTask; // the scheduler's own reads
            }

            if (host.Dead)
            {
                throw new HostDied();
            }

            if (host.DieAfterThisCall)
            {
                host.Dead = true;
                throw new HostDied();
            }

            var call = Interlocked.Increment(ref _calls);
            if (_crashIndex < _scenario.CrashAtCall.Count && call >= _scenario.CrashAtCall[_crashIndex])
            {
                _crashIndex++;
                if (_scenario.CrashAfter)
                {
                    // This call takes effect; the host dies at its next one (the response was lost).
                    host.DieAfterThisCall = true;
                    if (path is not null && op is InMemoryObjectStore.Ops.Write or InMemoryObjectStore.Ops.CommitChunks)
                    {
                        lock (_gate)
                        {
                            _landed[path] = _landed.GetValueOrDefault(path) + 1;
                        }
                    }

                    return Task.CompletedTask;
                }

                host.Dead = true;
                throw new HostDied();
            }

            return Task.CompletedTask;
        }
    }
}

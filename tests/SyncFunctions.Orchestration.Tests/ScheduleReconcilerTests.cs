using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Schedules;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>The reconcile of schedule instances against the named pairs, over an in-memory catalog and task hub.</summary>
public sealed class ScheduleReconcilerTests
{
    private readonly InMemoryLedger _ledger = new();
    private readonly FakeInstances _instances = new();

    [Fact]
    public async Task ReconcileAsync_PairsWithAndWithoutSchedules_StartsOneInstancePerScheduledPair()
    {
        await AddAsync("a", "0 */5 * * * *");
        await AddAsync("b", null);
        await AddAsync("c", "0 0 3 * * *");

        var report = await Reconciler().ReconcileAsync(default);

        Assert.Equal(["a", "c"], report.Started);
        Assert.Empty(report.Restarted);
        Assert.Empty(report.Stopped);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "0 */5 * * * *", ["c"] = "0 0 3 * * *" }, _instances.Active);
    }

    [Fact]
    public async Task ReconcileAsync_RemovedPairChangedScheduleAndUnchangedOne_StopsRestartsAndKeeps()
    {
        await AddAsync("keep", "0 */5 * * * *");
        await AddAsync("change", "0 0 * * * *");
        _instances.Active["keep"] = "0 */5 * * * *";
        _instances.Active["change"] = "0 30 * * * *";
        _instances.Active["gone"] = "0 0 1 * * *";

        var report = await Reconciler().ReconcileAsync(default);

        Assert.Empty(report.Started);
        Assert.Equal(["change"], report.Restarted);
        Assert.Equal(["gone"], report.Stopped);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "0 */5 * * * *", ["change"] = "0 0 * * * *" }, _instances.Active);
        Assert.Equal(["stop change", "start change", "stop gone"], _instances.Calls);
    }

    [Fact]
    public async Task ReconcileAsync_Twice_SecondChangesNothing()
    {
        await AddAsync("a", "0 */5 * * * *");
        var reconciler = Reconciler();
        await reconciler.ReconcileAsync(default);
        _instances.Calls.Clear();

        var again = await reconciler.ReconcileAsync(default);

        Assert.False(again.Changed);
        Assert.Empty(_instances.Calls);
    }

    [Fact]
    public async Task ReconcileAsync_OnePair_AddedStartsRemovedStopsOthersUntouched()
    {
        await AddAsync("new", "* * * * * *");
        _instances.Active["other"] = "0 0 * * * *";
        var reconciler = Reconciler();

        Assert.Equal(["new"], (await reconciler.ReconcileAsync("new", default)).Started);
        Assert.True(await _ledger.RemoveDefinitionAsync("new", default));
        Assert.Equal(["new"], (await reconciler.ReconcileAsync("new", default)).Stopped);

        Assert.Equal(new Dictionary<string, string> { ["other"] = "0 0 * * * *" }, _instances.Active);
    }

    private ScheduleReconciler Reconciler() => new(_ledger, _instances);

    private async Task AddAsync(string name, string? schedule) =>
        Assert.NotNull(await _ledger.TryAddDefinitionAsync(new PairDefinition(name, "p-" + name, "local:/s/" + name, "blob:d" + name, schedule, false, "{}", DateTimeOffset.UnixEpoch), default));

    private sealed class FakeInstances : IScheduleInstances
    {
        public Dictionary<string, string> Active { get; } = new(StringComparer.Ordinal);

        public List<string> Calls { get; } = [];

        public async IAsyncEnumerable<ScheduleInstance> ListActiveAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            foreach (var (name, cron) in Active.ToList())
            {
                yield return new ScheduleInstance(name, cron);
            }
        }

        public Task<ScheduleInstance?> GetActiveAsync(string pairName, CancellationToken cancellationToken) =>
            Task.FromResult(Active.TryGetValue(pairName, out var cron) ? new ScheduleInstance(pairName, cron) : null);

        public Task StartAsync(string pairName, string cron, CancellationToken cancellationToken)
        {
            Assert.False(Active.ContainsKey(pairName), $"{pairName} started while one is active");
            Calls.Add("start " + pairName);
            Active[pairName] = cron;
            return Task.CompletedTask;
        }

        public Task StopAsync(string pairName, CancellationToken cancellationToken)
        {
            Calls.Add("stop " + pairName);
            Active.Remove(pairName);
            return Task.CompletedTask;
        }
    }
}

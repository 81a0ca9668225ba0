using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>
/// The contract of <see cref="ILedger"/>: subclass it and return an initialized ledger. Every test uses
/// fresh pair and run ids, so one shared backing store (Azurite) serves all tests.
/// </summary>
public abstract partial class LedgerConformance
{
    /// <summary>An initialized ledger; may be shared between tests.</summary>
    protected abstract Task<ILedger> CreateLedgerAsync();

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A timestamp with sub-millisecond ticks: stored times must round-trip exactly.</summary>
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1_234_567);

    protected static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task GetOrCreatePairAsync_CalledTwice_ReturnsTheFirstStoredPair()
    {
        var ledger = await CreateLedgerAsync();
        var id = NewId();

        var first = await ledger.GetOrCreatePairAsync(new PairRecord(id, "local:/a", "blob:x"), Ct);
        var second = await ledger.GetOrCreatePairAsync(new PairRecord(id, "local:/other", "blob:y"), Ct);

        Assert.NotNull(first.ETag);
        Assert.Equal(first.ETag, second.ETag);
        Assert.Equal(("local:/a", "blob:x"), (second.Source, second.Destination));
    }

    [Fact]
    public async Task GetPairAsync_Missing_ReturnsNull()
    {
        var ledger = await CreateLedgerAsync();

        Assert.Null(await ledger.GetPairAsync(NewId(), Ct));
    }

    [Fact]
    public async Task TryUpdatePairAsync_CurrentETag_StoresAndReturnsNewETag()
    {
        var ledger = await CreateLedgerAsync();
        var pair = await ledger.GetOrCreatePairAsync(new PairRecord(NewId(), "s", "d"), Ct);

        var updated = await ledger.TryUpdatePairAsync(pair with { ActiveRunId = "run-1", Cursor = "c", Dirty = true }, Ct);

        Assert.NotNull(updated);
        Assert.NotEqual(pair.ETag, updated.ETag);
        var stored = await ledger.GetPairAsync(pair.PairId, Ct);
        Assert.Equal(("run-1", "c", true, updated.ETag), (stored!.ActiveRunId, stored.Cursor, stored.Dirty, stored.ETag));
    }

    [Fact]
    public async Task TryUpdatePairAsync_StaleETag_ReturnsNullAndKeepsTheWinner()
    {
        var ledger = await CreateLedgerAsync();
        var pair = await ledger.GetOrCreatePairAsync(new PairRecord(NewId(), "s", "d"), Ct);
        await ledger.TryUpdatePairAsync(pair with { ActiveRunId = "winner" }, Ct);

        var loser = await ledger.TryUpdatePairAsync(pair with { ActiveRunId = "loser" }, Ct);

        Assert.Null(loser);
        Assert.Equal("winner", (await ledger.GetPairAsync(pair.PairId, Ct))!.ActiveRunId);
    }

    [Fact]
    public async Task TryUpdatePairAsync_ClearingActiveRun_StoresNull()
    {
        var ledger = await CreateLedgerAsync();
        var pair = await ledger.GetOrCreatePairAsync(new PairRecord(NewId(), "s", "d"), Ct);
        var active = await ledger.TryUpdatePairAsync(pair with { ActiveRunId = "r" }, Ct);

        var cleared = await ledger.TryUpdatePairAsync(active! with { ActiveRunId = null }, Ct);

        Assert.NotNull(cleared);
        Assert.Null((await ledger.GetPairAsync(pair.PairId, Ct))!.ActiveRunId);
    }

    [Fact]
    public async Task CreateRunAsync_ThenGetAndFind_RoundTripsEveryField()
    {
        var ledger = await CreateLedgerAsync();
        var run = SampleRun(NewId(), NewId());

        var created = await ledger.CreateRunAsync(run, Ct);

        Assert.NotNull(created.ETag);
        Assert.Equal(run, (await ledger.GetRunAsync(run.PairId, run.RunId, Ct))! with { ETag = null });
        Assert.Equal(run, (await ledger.FindRunAsync(run.RunId, Ct))! with { ETag = null });
    }

    [Fact]
    public async Task GetRunAsync_Missing_ReturnsNull()
    {
        var ledger = await CreateLedgerAsync();

        Assert.Null(await ledger.GetRunAsync(NewId(), NewId(), Ct));
        Assert.Null(await ledger.FindRunAsync(NewId(), Ct));
    }

    [Fact]
    public async Task TryUpdateRunAsync_StaleETag_ReturnsNull()
    {
        var ledger = await CreateLedgerAsync();
        var created = await ledger.CreateRunAsync(SampleRun(NewId(), NewId()), Ct);
        var updated = await ledger.TryUpdateRunAsync(created with { Heartbeat = T0.AddSeconds(10), BytesDone = 42 }, Ct);

        var stale = await ledger.TryUpdateRunAsync(created with { Status = RunStatus.Cancelled }, Ct);

        Assert.NotNull(updated);
        Assert.Null(stale);
        var stored = await ledger.GetRunAsync(created.PairId, created.RunId, Ct);
        Assert.Equal((RunStatus.Running, 42L, T0.AddSeconds(10)), (stored!.Status, stored.BytesDone, stored.Heartbeat));
    }

    [Fact]
    public async Task ListRunsAsync_ByPair_ReturnsOnlyThatPairsRuns()
    {
        var ledger = await CreateLedgerAsync();
        string pairA = NewId(), pairB = NewId();
        var runs = new[] { SampleRun(pairA, NewId()), SampleRun(pairA, NewId()), SampleRun(pairB, NewId()) };
        foreach (var run in runs)
        {
            await ledger.CreateRunAsync(run, Ct);
        }

        var ofA = await ToListAsync(ledger.ListRunsAsync(pairA, Ct));
        var all = await ToListAsync(ledger.ListRunsAsync(null, Ct));

        Assert.Equal(runs[..2].Select(r => r.RunId).Order(), ofA.Select(r => r.RunId).Order());
        Assert.Superset(runs.Select(r => r.RunId).ToHashSet(), all.Select(r => r.RunId).ToHashSet());
    }

    protected static RunRecord SampleRun(string pairId, string runId) => new()
    {
        PairId = pairId,
        RunId = runId,
        Status = RunStatus.Running,
        Trigger = "cli",
        OwnerHost = "host-1",
        OwnerPid = 4242,
        OwnerStarted = T0.AddMinutes(-1),
        Heartbeat = T0,
        CreatedAt = T0,
        EndedAt = null,
        OptionsJson = "{\"parallel\":16}",
        ObserveDone = true,
        ObserveContinuation = "a/b/ä",
        WorkItemCount = 7,
        PendingCursor = "cursor-1",
        StagingDone = true,
        Resync = true,
        CancelRequested = false,
        TotalActions = 1_000_001,
        SucceededActions = 5,
        FailedActions = 1,
        SkippedActions = 2,
        TotalBytes = 5L * 1024 * 1024 * 1024,
        BytesDone = 123,
        HeldBackDeletes = 3,
        Error = "some error",
    };

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}

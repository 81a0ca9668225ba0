using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>The fakes' own test hooks: fault injection, blocking hooks, counters, cross-store copy.</summary>
public sealed class InMemoryFakesTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task FaultInjector_FirstTwoWritesThrottled_ThirdSucceedsAndEveryAttemptIsCounted()
    {
        var store = new InMemoryObjectStore();
        var failures = 2;
        store.FaultInjector = (op, _) => op == InMemoryObjectStore.Ops.Write && Interlocked.Decrement(ref failures) >= 0
            ? new StorageException(StorageErrorKind.Throttled, "slow down", retryAfter: TimeSpan.FromSeconds(1), status: 429)
            : null;

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var error = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync("f", new MemoryStream([1]), new WriteOptions(), Ct));
            Assert.Equal(StorageErrorKind.Throttled, error.Kind);
        }

        await store.WriteAsync("f", new MemoryStream([1]), new WriteOptions(), Ct);

        Assert.Equal(3, store.RequestCount(InMemoryObjectStore.Ops.Write));
        Assert.Equal(1, store.WriteCount("f"));
    }

    [Fact]
    public async Task BeforeOperation_BlocksTheFourthStagedChunkUntilReleased()
    {
        var store = new InMemoryObjectStore();
        var staged = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeOperation = async (op, _, _) =>
        {
            if (op == InMemoryObjectStore.Ops.StageChunk && Interlocked.Increment(ref staged) == 4)
            {
                reached.SetResult();
                await gate.Task;
            }
        };

        var upload = Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await store.StageChunkAsync("big", $"id{i}", new MemoryStream([(byte)i]), Ct);
            }
        });
        await reached.Task;

        Assert.Equal(["id0", "id1", "id2"], store.StagedChunkIds("big"));
        gate.SetResult();
        await upload;
        Assert.Equal(5, store.StagedChunkIds("big").Count);
    }

    [Fact]
    public async Task CopyFromUrlAsync_BetweenTwoStores_CopiesWithoutBodyBytes()
    {
        var source = new InMemoryObjectStore();
        var destination = new InMemoryObjectStore();
        var info = source.Put("dir/a b#%.bin", [1, 2, 3, 4, 5]);
        var url = await source.GetReadUrlAsync("dir/a b#%.bin", TimeSpan.FromMinutes(1), Ct);

        await destination.CopyFromUrlAsync("copy", url, new WriteOptions(IfNoneMatch: true), Ct);
        await destination.StageChunkFromUrlAsync("chunked", "AA==", url, 1, 3, Ct);
        await destination.CommitChunksAsync("chunked", ["AA=="], new WriteOptions(), Ct);

        Assert.Equal([1, 2, 3, 4, 5], destination.TryGet("copy"));
        Assert.Equal(info.Sha256, destination.TryGetInfo("copy")!.Sha256);
        Assert.Equal([2, 3, 4], destination.TryGet("chunked"));
        Assert.Equal((0L, 0L, 8L), (destination.BodyBytesWritten, source.BodyBytesRead, destination.ServerSideBytesCopied));
    }

    [Fact]
    public async Task StageChunkAsync_IdsOfDifferentLength_ThrowsPermanentLikeBlob()
    {
        var store = new InMemoryObjectStore();
        await store.StageChunkAsync("f", "AAAA", new MemoryStream([1]), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.StageChunkAsync("f", "AAAAAAAA", new MemoryStream([1]), Ct));

        Assert.Equal(StorageErrorKind.Permanent, error.Kind);
    }

    [Fact]
    public async Task Ledger_WorkItemOfHundredActions_CostsTwoTableRequests()
    {
        var ledger = new InMemoryLedger();
        var actions = Enumerable.Range(0, 100).Select(i => new ActionRecord { RunId = "r", ItemId = "0", ActionId = $"{i:D3}", Path = $"f{i}" }).ToList();

        await ledger.AddWorkItemAsync(new WorkItemRecord { RunId = "r", ItemId = "0", ActionCount = 100 }, actions, Ct);
        var stored = await ledger.GetActionsAsync("r", "0", Ct);
        await ledger.TryUpdateActionsAsync(stored.Select(a => a with { Status = ActionStatus.Done }).ToList(), Ct);

        Assert.Equal(4, ledger.TableRequests);
        Assert.Equal(1, ledger.CallCount(nameof(ledger.TryUpdateActionsAsync)));
    }

    [Fact]
    public async Task Ledger_BaselineStream_SeesRowsAddedAfterTheCurrentPage()
    {
        var ledger = new InMemoryLedger();
        var rows = Enumerable.Range(0, InMemoryLedger.PageSize).Select(i => new BaselineEntry { PairId = "p", Path = $"a{i:D5}" }).ToList();
        await ledger.ApplyBaselineAsync("p", rows, [], Ct);
        var seen = new List<string>();

        await foreach (var row in ledger.ListBaselineAsync("p", Ct))
        {
            seen.Add(row.Path);
            if (seen.Count == 1)
            {
                await ledger.ApplyBaselineAsync("p", [new BaselineEntry { PairId = "p", Path = "b" }], [], Ct);
            }
        }

        Assert.Equal(InMemoryLedger.PageSize + 1, seen.Count);
        Assert.Equal("b", seen[^1]);
    }

    [Fact]
    public async Task Ledger_FaultInjector_ThrowsForTheNamedMethod()
    {
        var ledger = new InMemoryLedger { FaultInjector = m => m == nameof(ILedger.GetPairAsync) ? new StorageException(StorageErrorKind.Transient, "boom") : null };

        var error = await Assert.ThrowsAsync<StorageException>(() => ledger.GetPairAsync("p", Ct));

        Assert.Equal(StorageErrorKind.Transient, error.Kind);
        Assert.NotNull(await ledger.GetOrCreatePairAsync(new PairRecord("p", "s", "d"), Ct));
    }
}

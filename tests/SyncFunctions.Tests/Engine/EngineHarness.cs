using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Engine;

/// <summary>Liveness answers set by the test: pids listed as dead are dead, everything else is alive.</summary>
internal sealed class FakeLiveness : IOwnerLiveness
{
    public HashSet<int> Dead { get; } = [];

    public bool? IsAlive(string host, int pid, DateTimeOffset started) => !Dead.Contains(pid);
}

/// <summary>A source, a destination and a ledger in memory, and engines that sync between them.</summary>
internal sealed class EngineHarness
{
    private int _nextPid = 1000;

    public EngineHarness(TimeProvider? time = null, bool sourceHasReadUrls = false, bool hashlessDestination = false)
    {
        Time = time ?? TimeProvider.System;
        Source = new InMemoryObjectStore(Time) { CanProvideReadUrls = sourceHasReadUrls };
        Destination = new InMemoryObjectStore(Time) { KeepsHashes = !hashlessDestination };
        Pair = new PairRecord(PairIdentity.Compute("memory:" + Source.StoreId, "memory:" + Destination.StoreId), "memory:" + Source.StoreId, "memory:" + Destination.StoreId);
    }

    public TimeProvider Time { get; }
    public InMemoryObjectStore Source { get; }
    public InMemoryObjectStore Destination { get; }
    public InMemoryLedger Ledger { get; } = new();
    public FakeLiveness Liveness { get; } = new();
    public PairRecord Pair { get; }

    public SyncOptions Options { get; set; } = new() { Parallel = 4, ChunkSize = 64 * 1024 };

    public OwnerIdentity NewOwner() => new("testhost", Interlocked.Increment(ref _nextPid), Time.GetUtcNow());

    public InProcessDriver Engine(OwnerIdentity? owner = null) =>
        InProcessDriver.WithRetries(Ledger, Source, Destination, new EngineEnvironment(Time, owner ?? NewOwner(), Liveness));

    public Task<RunSummary> SyncAsync(SyncOptions? options = null, OwnerIdentity? owner = null, CancellationToken cancellationToken = default) =>
        Engine(owner).SyncAsync(Pair, options ?? Options, cancellationToken);

    /// <summary>Seeds <paramref name="count"/> small files with distinct content.</summary>
    public void SeedSmallFiles(int count, string prefix = "f")
    {
        for (var i = 0; i < count; i++)
        {
            Source.Put($"{prefix}/{i:D5}.txt", Content(i, 100 + (i % 50)));
        }
    }

    public static byte[] Content(int seed, int size)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Asserts that every source object is at the destination with identical bytes, and nothing else is.</summary>
    public void AssertMirrored()
    {
        Assert.Equal(Source.Paths, Destination.Paths);
        foreach (var path in Source.Paths)
        {
            Assert.True(Source.TryGet(path)!.AsSpan().SequenceEqual(Destination.TryGet(path)), $"content differs at {path}");
        }
    }
}

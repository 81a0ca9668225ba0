using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>
/// Diff of two snapshots (property: over random trees and random edits the changes are exactly the edits) and the
/// selection of a snapshot by id, prefix or 'latest'.
/// </summary>
public sealed class SnapshotDiffTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task DiffAsync_RandomEdits_ChangesAreExactlyTheEditsInPathOrder(int seed)
    {
        var random = new Random(seed);
        var before = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 60; i++)
        {
            before[$"{(char)('a' + random.Next(4))}{(random.Next(2) == 0 ? "/" : "-")}{random.Next(1000)}.txt"] = RepositoryKit.Bytes(random.Next(), random.Next(0, 3000));
        }

        var after = new Dictionary<string, byte[]>(before, StringComparer.Ordinal);
        var expected = new SortedDictionary<string, SnapshotChangeKind>(StringComparer.Ordinal);
        foreach (var path in before.Keys.Where(_ => random.Next(4) == 0).ToList())
        {
            if (random.Next(2) == 0)
            {
                after.Remove(path);
                expected[path] = SnapshotChangeKind.Removed;
            }
            else
            {
                after[path] = RepositoryKit.Bytes(random.Next(), 100);
                expected[path] = SnapshotChangeKind.Modified;
            }
        }

        for (var i = 0; i < 10; i++)
        {
            var path = $"new/{random.Next(100_000)}";
            after[path] = RepositoryKit.Bytes(random.Next(), 50);
            expected[path] = SnapshotChangeKind.Added;
        }

        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var (one, _) = await RepositoryKit.SnapshotAsync(repository, before, "run-1");
        var (two, _) = await RepositoryKit.SnapshotAsync(repository, after, "run-2");
        var reader = new SnapshotReader(repository);

        var changes = new List<SnapshotChange>();
        await foreach (var change in SnapshotDiff.DiffAsync(reader.WalkAsync(one.Id, Ct), reader.WalkAsync(two.Id, Ct), Ct))
        {
            changes.Add(change);
        }

        Assert.Equal(expected.Select(e => (e.Key, e.Value)), changes.Select(c => (c.Path, c.Kind)));
        Assert.All(changes, c => Assert.Equal(c.Kind != SnapshotChangeKind.Added, c.Before is not null));
        Assert.All(changes, c => Assert.Equal(c.Kind != SnapshotChangeKind.Removed, c.After is not null));
    }

    [Fact]
    public async Task DiffAsync_SameContentOtherTime_IsNoChange()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var writer = repository.Content.NewWriter(RepositoryKit.PackTarget);
        var files = await RepositoryKit.ChunkAsync(repository, writer, new Dictionary<string, byte[]> { ["a"] = [1, 2, 3] });
        var snapshots = new SnapshotWriter(repository, RepositoryKit.NewClock());
        var one = await snapshots.WriteAsync(RepositoryKit.ToAsync(files), RepositoryKit.Info("r1"), Ct);
        var touched = files.Select(f => f with { Modified = f.Modified.AddDays(1) }).ToList();
        var two = await snapshots.WriteAsync(RepositoryKit.ToAsync(touched), RepositoryKit.Info("r2"), Ct);
        var reader = new SnapshotReader(repository);

        var changes = await SnapshotDiff.DiffAsync(reader.WalkAsync(one.Id, Ct), reader.WalkAsync(two.Id, Ct), Ct).CountAsync();

        Assert.NotEqual(one.Record.RootTree, two.Record.RootTree);
        Assert.Equal(0, changes);
    }

    [Fact]
    public async Task Find_IdPrefixLatestAndPair_OrClearErrors()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var other = new SnapshotPair("pair-2", null);
        await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["a"] = [1] }, "run-1");
        var writer = new SnapshotWriter(repository, RepositoryKit.NewClock());
        await writer.WriteAsync(RepositoryKit.ToAsync<SnapshotFile>([]), RepositoryKit.Info("run-2", other), Ct);
        var all = await new SnapshotReader(repository).ListAsync(Ct);
        var first = all[0];

        Assert.Same(first, SnapshotSelector.Find(all, first.Id.ToString(), null, out _));
        var byPrefix = SnapshotSelector.Find(all, first.Id.ToString()[..SnapshotSelector.MinPrefix], null, out var prefixError);
        Assert.True(byPrefix == first || prefixError!.Contains("several", StringComparison.Ordinal));
        Assert.Same(all[^1], SnapshotSelector.Find(all, "latest", null, out _));
        Assert.Equal("pair-1", SnapshotSelector.Find(all, "latest", "pair-1", out _)!.Record.Pair.Id);

        Assert.Null(SnapshotSelector.Find(all, "ab", null, out var shortError));
        Assert.Contains("at least 4", shortError, StringComparison.Ordinal);
        Assert.Null(SnapshotSelector.Find(all, "ABCD", null, out var caseError));
        Assert.Contains("lowercase", caseError, StringComparison.Ordinal);
        Assert.Null(SnapshotSelector.Find(all, "latest", "nobody", out var noneError));
        Assert.Contains("pair nobody has no snapshots", noneError, StringComparison.Ordinal);
        var missing = Enumerable.Range(0, 16).Select(i => i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Select(d => d + d + d + d)
            .First(p => all.All(s => !s.Id.ToString().StartsWith(p, StringComparison.Ordinal)));
        Assert.Null(SnapshotSelector.Find(all, missing, null, out var missingError));
        Assert.Contains("no snapshot " + missing, missingError, StringComparison.Ordinal);
    }
}

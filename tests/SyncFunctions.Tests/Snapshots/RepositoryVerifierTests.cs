using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Destination;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Verifying clean and deliberately damaged repositories: every damage is found, naming the exact object.</summary>
public sealed class RepositoryVerifierTests
{
    private static readonly VerifyOptions Structure = new();
    private static readonly VerifyOptions ReadData = new() { ReadData = true };

    [Fact]
    public async Task VerifyAsync_CleanRepositoryOfThreeSnapshots_IsCleanAndCountsWhatItChecked()
    {
        var (store, repository) = await BuildAsync();

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        Assert.True(report.IsClean, string.Join("\n", report.Problems));
        Assert.Equal(3, report.Snapshots);
        Assert.Equal(2, report.Heads);
        Assert.Equal(Count(store, RepositoryLayout.IndexFolder), report.Indexes);
        Assert.Equal(RepositoryKit.PackCount(store), report.Packs);

        // Every stored tree but the run's content reference is reachable; it is counted, not reported.
        Assert.Equal(Count(store, RepositoryLayout.TreesFolder) - 1, report.Trees);
        Assert.Equal(1, report.UnreferencedTrees);
        Assert.Equal(await DistinctChunksAsync(repository), report.ChunksChecked);
        Assert.Equal(0, report.PacksRead);
        Assert.Equal(0, report.ChunksRead);
    }

    [Fact]
    public async Task VerifyAsync_CleanRepositoryReadData_ReadsEveryPackAndDecodesEveryChunk()
    {
        var (store, repository) = await BuildAsync();
        var packs = PackIds(store);

        var report = await new RepositoryVerifier(repository).VerifyAsync(ReadData, null, CancellationToken.None);

        Assert.True(report.IsClean, string.Join("\n", report.Problems));
        Assert.Equal(packs, report.ReadPacks);
        Assert.Equal(packs.Count, report.PacksRead);
        Assert.Equal(packs.Sum(p => (long)store.TryGet(RepositoryLayout.PackPath(p))!.Length), report.BytesRead);
        Assert.Equal(packs.Sum(p => (long)PackReader.Open(p, store.TryGet(RepositoryLayout.PackPath(p))!).Entries.Count), report.ChunksRead);
    }

    [Fact]
    public async Task VerifyAsync_PackDeleted_NamesThePackAsMissingAndStillChecksTheRest()
    {
        var (store, repository) = await BuildAsync();
        var clean = await new RepositoryVerifier(repository).VerifyAsync(ReadData, null, CancellationToken.None);
        var (_, location) = await LocateAsync(repository, "dir/b.bin", 1);
        store.Remove(RepositoryLayout.PackPath(location.PackId));

        var report = await new RepositoryVerifier(repository).VerifyAsync(ReadData, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(RepositoryLayout.PackPath(location.PackId), problem.Object);
        Assert.Equal(FormatDamage.Missing, problem.Damage);
        Assert.Equal(clean.Trees, report.Trees);
        Assert.Equal(clean.ChunksChecked, report.ChunksChecked);
        Assert.Equal(clean.ReadPacks.Where(p => p != location.PackId), report.ReadPacks);
    }

    [Fact]
    public async Task VerifyAsync_EveryTruncationOfAnIndex_NamesThatIndexAndNeverThrows()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]> { ["f"] = RepositoryKit.Bytes(7, 600) });
        var indexPath = Assert.Single(store.Paths, p => p.StartsWith(RepositoryLayout.IndexFolder, StringComparison.Ordinal));
        var index = store.TryGet(indexPath)!;

        for (var length = 0; length < index.Length; length++)
        {
            store.Put(indexPath, index[..length]);

            var report = await new RepositoryVerifier(store).VerifyAsync(Structure, null, CancellationToken.None);

            Assert.True(report.Problems.Any(p => p.Object == indexPath && p.Damage == FormatDamage.HashMismatch), $"length {length}: {string.Join("; ", report.Problems)}");
        }

        // The repository itself would not open: the verifier is given the store.
        await Assert.ThrowsAsync<RepositoryFormatException>(() => SnapshotRepository.OpenAsync(store, CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_FlippedByteInAChunk_FoundOnlyByReadDataNamingTheChunkAndPack()
    {
        var (store, repository) = await BuildAsync();
        var (chunk, location) = await LocateAsync(repository, "dir/b.bin", 1);
        var path = RepositoryLayout.PackPath(location.PackId);
        var pack = store.TryGet(path)!;
        pack[location.Entry.Offset + (location.Entry.StoredLength / 2)] ^= 0x40;
        store.Put(path, pack);

        var structure = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);
        var data = await new RepositoryVerifier(repository).VerifyAsync(ReadData, null, CancellationToken.None);

        Assert.True(structure.IsClean, string.Join("\n", structure.Problems));
        var problem = Assert.Single(data.Problems);
        Assert.Equal(path, problem.Object);
        Assert.Equal(chunk, problem.Chunk);
        Assert.Equal(FormatDamage.HashMismatch, problem.Damage);
        Assert.Contains(chunk.ToString(), problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_FlippedByteInATree_NamesThatTree()
    {
        var (store, repository) = await BuildAsync();
        var tree = await SubtreeAsync(repository, "dir");
        var path = RepositoryLayout.TreePath(tree);
        var bytes = store.TryGet(path)!;
        bytes[bytes.Length / 2] ^= 0x01;
        store.Put(path, bytes);

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(path, problem.Object);
        Assert.Equal(FormatDamage.HashMismatch, problem.Damage);
    }

    [Fact]
    public async Task VerifyAsync_TreeDeleted_NamesItAsMissingWithThePathItHad()
    {
        var (store, repository) = await BuildAsync();
        var tree = await SubtreeAsync(repository, "dir", "sub");
        store.Remove(RepositoryLayout.TreePath(tree));

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(RepositoryLayout.TreePath(tree), problem.Object);
        Assert.Equal(FormatDamage.Missing, problem.Damage);
        Assert.Contains("'dir/sub'", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_HeadNamesADeletedSnapshot_NamesTheHead()
    {
        var (store, repository) = await BuildAsync();
        var head = SnapshotHead.Decode(Other.Id, store.TryGet(RepositoryLayout.HeadPath(Other.Id))!);
        store.Remove(RepositoryLayout.SnapshotPath(head.Snapshot));

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(RepositoryLayout.HeadPath(Other.Id), problem.Object);
        Assert.Equal(FormatDamage.Missing, problem.Damage);
        Assert.Contains(head.Snapshot.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Equal(2, report.Snapshots);
    }

    [Fact]
    public async Task VerifyAsync_IndexDisagreesWithThePacksFooter_NamesThePackAndTheIndex()
    {
        var (store, repository) = await BuildAsync();
        var indexPath = store.Paths.First(p => p.StartsWith(RepositoryLayout.IndexFolder, StringComparison.Ordinal));
        var indexId = ObjectId.Parse(indexPath[RepositoryLayout.IndexFolder.Length..]);
        var index = PackIndex.Decode(indexId, store.TryGet(indexPath)!);
        var victim = index.Packs.First(p => p.Chunks.Count >= 2);

        // Same offsets and lengths (so the same pack length), the first two chunk ids swapped.
        var chunks = victim.Chunks.ToArray();
        (chunks[0], chunks[1]) = (chunks[0] with { ChunkId = chunks[1].ChunkId }, chunks[1] with { ChunkId = chunks[0].ChunkId });
        var forged = new PackIndex(index.Packs.Select(p => p.PackId == victim.PackId ? new IndexedPack(p.PackId, chunks) : p), index.Supersedes).Encode();
        store.Remove(indexPath);
        store.Put(RepositoryLayout.IndexPath(forged.Id), forged.Bytes);

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems, p => p.Object == RepositoryLayout.PackPath(victim.PackId));
        Assert.Equal(FormatDamage.Malformed, problem.Damage);
        Assert.Contains($"disagrees with index {forged.Id}", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_PackCutShort_NamesThePackAsTruncated()
    {
        var (store, repository) = await BuildAsync();
        var (_, location) = await LocateAsync(repository, "a.txt", 0);
        var path = RepositoryLayout.PackPath(location.PackId);
        store.Put(path, store.TryGet(path)![..^1]);

        var report = await new RepositoryVerifier(repository).VerifyAsync(ReadData, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(path, problem.Object);
        Assert.Equal(FormatDamage.Truncated, problem.Damage);
        Assert.DoesNotContain(location.PackId, report.ReadPacks);
    }

    [Fact]
    public async Task VerifyAsync_FlippedByteInAPackFooter_FoundByTheStructureCheckAsChecksumMismatch()
    {
        var (store, repository) = await BuildAsync();
        var (_, location) = await LocateAsync(repository, "a.txt", 0);
        var path = RepositoryLayout.PackPath(location.PackId);
        var pack = store.TryGet(path)!;
        pack[pack.Length - PackFormat.TrailerLength - 10] ^= 0x01;
        store.Put(path, pack);

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(path, problem.Object);
        Assert.Equal(FormatDamage.ChecksumMismatch, problem.Damage);
    }

    [Fact]
    public async Task VerifyAsync_FileNamesAChunkNoIndexHolds_NamesTheTreeAndTheChunk()
    {
        var (store, repository) = await BuildAsync();
        var absent = ObjectId.Of("never stored"u8);
        var tree = ForgeSnapshot(store, TreeEntry.File("ghost", RepositoryKit.NewClock().GetUtcNow(), absent, [new ChunkRef(absent, 12)]));

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(RepositoryLayout.TreePath(tree), problem.Object);
        Assert.Equal(FormatDamage.Missing, problem.Damage);
        Assert.Equal(absent, problem.Chunk);
        Assert.Contains("'ghost'", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_FileGivesAChunkAnotherLength_NamesTheTreeTheChunkAndThePack()
    {
        var (store, repository) = await BuildAsync();
        var (chunk, location) = await LocateAsync(repository, "dir/sub/c", 0);
        var tree = ForgeSnapshot(store, TreeEntry.File("c", RepositoryKit.NewClock().GetUtcNow(), chunk, [new ChunkRef(chunk, location.Entry.RawLength + 1)]));

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(RepositoryLayout.TreePath(tree), problem.Object);
        Assert.Equal(FormatDamage.Malformed, problem.Damage);
        Assert.Equal(chunk, problem.Chunk);
        Assert.Contains(location.PackId.ToString(), problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_OneChunkFileWithAnotherContentHash_IsHashMismatchOfItsTree()
    {
        var (store, repository) = await BuildAsync();
        var (chunk, location) = await LocateAsync(repository, "dir/sub/c", 0);
        var tree = ForgeSnapshot(store, TreeEntry.File("c", RepositoryKit.NewClock().GetUtcNow(), ObjectId.Of("other"u8), [new ChunkRef(chunk, location.Entry.RawLength)]));

        var report = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(report.Problems);
        Assert.Equal(RepositoryLayout.TreePath(tree), problem.Object);
        Assert.Equal(FormatDamage.HashMismatch, problem.Damage);
    }

    [Fact]
    public async Task VerifyAsync_SupersededIndexNamingADeletedPack_IsCleanOnceSuperseded()
    {
        var (store, repository) = await BuildAsync();
        var gone = ObjectId.Of("a pack compaction deleted"u8);
        var old = new PackIndex([new IndexedPack(gone, [new PackEntry(ObjectId.Of("a chunk"u8), PackFormat.HeaderLength, 7, 7, false)])]).Encode();
        store.Put(RepositoryLayout.IndexPath(old.Id), old.Bytes);
        var before = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);
        var compacted = new PackIndex([], [old.Id]).Encode();
        store.Put(RepositoryLayout.IndexPath(compacted.Id), compacted.Bytes);

        var after = await new RepositoryVerifier(repository).VerifyAsync(Structure, null, CancellationToken.None);

        var problem = Assert.Single(before.Problems);
        Assert.Equal(RepositoryLayout.PackPath(gone), problem.Object);
        Assert.Equal(FormatDamage.Missing, problem.Damage);
        Assert.Contains(old.Id.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.True(after.IsClean, string.Join("\n", after.Problems));
        Assert.Equal(before.Indexes + 1, after.Indexes);
        Assert.Equal(before.Packs - 1, after.Packs);
    }

    [Fact]
    public async Task VerifyAsync_SubsetOfManyPacks_ReadsAllAtOneAndTheSameStrictSubsetAtHalf()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var files = await RepositoryKit.ChunkAsync(repository, repository.Content.NewWriter(4096), new Dictionary<string, byte[]> { ["big"] = RepositoryKit.Bytes(9, 120_000) });
        await new SnapshotWriter(repository, RepositoryKit.NewClock()).WriteAsync(RepositoryKit.ToAsync(files), RepositoryKit.Info(), CancellationToken.None);
        var packs = PackIds(store);
        Assert.True(packs.Count >= 20, $"only {packs.Count} packs");
        var verifier = new RepositoryVerifier(repository);

        var all = await verifier.VerifyAsync(ReadData with { Subset = 1 }, null, CancellationToken.None);
        var half = await verifier.VerifyAsync(ReadData with { Subset = 0.5 }, null, CancellationToken.None);
        var again = await verifier.VerifyAsync(ReadData with { Subset = 0.5 }, null, CancellationToken.None);

        Assert.Equal(packs, all.ReadPacks);
        Assert.Equal(half.ReadPacks, again.ReadPacks);
        Assert.InRange(half.PacksRead, 1, packs.Count - 1);

        // Half of 2^64: the packs whose id starts with a hex digit below 8.
        Assert.Equal(packs.Where(p => p.ToString()[0] < '8'), half.ReadPacks);
        Assert.Equal(half.ReadPacks.Sum(p => (long)store.TryGet(RepositoryLayout.PackPath(p))!.Length), half.BytesRead);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public async Task VerifyAsync_SubsetOutsideZeroToOne_Throws(double subset)
    {
        var (_, repository) = await BuildAsync();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            new RepositoryVerifier(repository).VerifyAsync(ReadData with { Subset = subset }, null, CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_Progress_ReportsEveryPhaseInOrderEndingWithAllDone()
    {
        var (store, repository) = await BuildAsync();
        var progress = new ListProgress();

        await new RepositoryVerifier(repository).VerifyAsync(ReadData, progress, CancellationToken.None);

        var reports = progress.Reports;
        Assert.Equal(Enum.GetValues<VerifyPhase>(), reports.Select(r => r.Phase).Distinct());
        Assert.Equal(reports.Select(r => r.Phase).Order(), reports.Select(r => r.Phase));
        var last = reports.GroupBy(r => r.Phase).ToDictionary(g => g.Key, g => g.Last());
        Assert.All(last.Values, r => Assert.Equal(r.Total, r.Done));
        Assert.Equal(RepositoryKit.PackCount(store), last[VerifyPhase.Packs].Done);
        Assert.Equal(Count(store, RepositoryLayout.TreesFolder) - 1, last[VerifyPhase.Trees].Done);
    }

    [Fact]
    public async Task VerifyAsync_Cancelled_Throws()
    {
        var (_, repository) = await BuildAsync();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new RepositoryVerifier(repository).VerifyAsync(ReadData, null, cancel.Token));
    }

    private static readonly SnapshotPair Other = new("pair-2", "photos");

    /// <summary>
    /// Three snapshots of two pairs (files in nested directories, an empty file, content shared between snapshots),
    /// plus the content-reference tree a run stores for a file of several chunks.
    /// </summary>
    internal static async Task<(InMemoryObjectStore Store, SnapshotRepository Repository)> BuildAsync()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var first = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["a.txt"] = RepositoryKit.Bytes(1, 20_000),
            ["dir/b.bin"] = RepositoryKit.Bytes(2, 30_000),
            ["dir/sub/c"] = RepositoryKit.Bytes(3, 500),
            ["empty"] = [],
        };
        var second = new Dictionary<string, byte[]>(first, StringComparer.Ordinal) { ["dir/d"] = RepositoryKit.Bytes(4, 10_000) };
        await RepositoryKit.SnapshotAsync(repository, first, "run-1");
        await RepositoryKit.SnapshotAsync(repository, second, "run-2");

        var files = await RepositoryKit.ChunkAsync(repository, repository.Content.NewWriter(RepositoryKit.PackTarget),
            new Dictionary<string, byte[]> { ["p/one"] = RepositoryKit.Bytes(5, 15_000), ["p/two"] = first["dir/b.bin"] });
        await new SnapshotWriter(repository, RepositoryKit.NewClock()).WriteAsync(RepositoryKit.ToAsync(files), RepositoryKit.Info("run-3", Other), CancellationToken.None);
        var content = files[0].Content;
        var reference = ContentReference.Of(content.ContentHash, content.Chunks).Tree!;
        store.Put(RepositoryLayout.TreePath(reference.Id), reference.Bytes);
        return (store, repository);
    }

    /// <summary>Stores a root tree of one file and a snapshot record naming it (no head); returns the tree's id.</summary>
    private static ObjectId ForgeSnapshot(InMemoryObjectStore store, TreeEntry file)
    {
        var tree = new TreeManifest([file]).Encode();
        store.Put(RepositoryLayout.TreePath(tree.Id), tree.Bytes);
        var record = new SnapshotRecord
        {
            Time = RepositoryKit.NewClock().GetUtcNow(),
            Pair = new SnapshotPair("pair-9", null),
            Source = "local:/forged",
            Host = "host-1",
            RootTree = tree.Id,
            Files = 1,
            Bytes = file.Size,
            RunId = "forged",
        }.Encode();
        store.Put(RepositoryLayout.SnapshotPath(record.Id), record.Bytes);
        return tree.Id;
    }

    private static int Count(InMemoryObjectStore store, string folder) => store.Paths.Count(p => p.StartsWith(folder, StringComparison.Ordinal));

    private static List<ObjectId> PackIds(InMemoryObjectStore store) =>
        [.. store.Paths.Where(p => p.StartsWith(RepositoryLayout.PacksFolder, StringComparison.Ordinal)).Select(p => ObjectId.Parse(p[^ObjectId.HexLength..])).Order()];

    private static async Task<long> DistinctChunksAsync(SnapshotRepository repository)
    {
        var reader = new SnapshotReader(repository);
        var chunks = new HashSet<ObjectId>();
        foreach (var snapshot in await reader.ListAsync(CancellationToken.None))
        {
            await foreach (var file in reader.WalkAsync(snapshot.Id, CancellationToken.None))
            {
                chunks.UnionWith(file.Entry.Chunks.Select(c => c.Id));
            }
        }

        return chunks.Count;
    }

    /// <summary>The k-th chunk of a file of the first snapshot, and where it is.</summary>
    private static async Task<(ObjectId Chunk, ChunkLocation Location)> LocateAsync(SnapshotRepository repository, string path, int k)
    {
        var reader = new SnapshotReader(repository);
        var snapshot = (await reader.ListAsync(CancellationToken.None)).First(s => s.Record.RunId == "run-1");
        SnapshotFileEntry? file = null;
        await foreach (var entry in reader.WalkAsync(snapshot.Id, CancellationToken.None))
        {
            file ??= entry.Path == path ? entry : null;
        }

        var chunk = file!.Entry.Chunks[k].Id;
        Assert.True(repository.Content.TryLocate(chunk, out var location));
        return (chunk, location);
    }

    /// <summary>The tree of a directory of the first snapshot, by its path's names.</summary>
    private static async Task<ObjectId> SubtreeAsync(SnapshotRepository repository, params string[] names)
    {
        var reader = new SnapshotReader(repository);
        var snapshot = (await reader.ListAsync(CancellationToken.None)).First(s => s.Record.RunId == "run-1");
        var tree = snapshot.Record.RootTree;
        foreach (var name in names)
        {
            tree = (await reader.ReadTreeAsync(tree, CancellationToken.None)).Find(name)!.Subtree!.Value;
        }

        return tree;
    }

    private sealed class ListProgress : IProgress<VerifyProgress>
    {
        private readonly List<VerifyProgress> _reports = [];

        public List<VerifyProgress> Reports
        {
            get
            {
                lock (_reports)
                {
                    return [.. _reports];
                }
            }
        }

        public void Report(VerifyProgress value)
        {
            lock (_reports)
            {
                _reports.Add(value);
            }
        }
    }
}

using CsCheck;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Random trees chunked, snapshotted, walked and restored come back as they were.</summary>
public sealed class SnapshotRoundTripTests
{
    // Directory and file names never clash; '!', '-' and '.' sort before '/', '0' after it, so a directory's files
    // and its siblings interleave in ordinal path order ("a-", "a.txt" before "a/...", "a0" after).
    private static readonly string[] DirectoryNames = ["a", "b", "a-", "ä"];
    private static readonly string[] FileNames = ["a.txt", "x", "a0", "b!", "a-b"];

    private static readonly Gen<Dictionary<string, byte[]>> TreeGen =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 1000], Gen.Int[0, FileNames.Length - 1], Gen.Int[0, 50 * 1024], Gen.Int[0, 4], Gen.Int)
            .Array[0, 12]
            .Select(specs =>
            {
                var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                byte[]? first = null;
                foreach (var (depth, dirs, file, size, duplicate, seed) in specs)
                {
                    var segments = Enumerable.Range(0, depth).Select(i => DirectoryNames[(dirs >> (2 * i)) % DirectoryNames.Length]).Append(FileNames[file]);
                    var content = duplicate == 0 && first is not null ? first : RepositoryKit.Bytes(seed, size);
                    first ??= content;
                    files[string.Join('/', segments)] = content;
                }

                return files;
            });

    [Fact]
    public async Task SnapshotThenRestore_RandomTrees_GiveTheSameFilesAndWalkListsThem()
    {
        await TreeGen.SampleAsync(async files =>
        {
            var store = new InMemoryObjectStore();
            var repository = await RepositoryKit.InitAsync(store);
            var (snapshot, _) = await RepositoryKit.SnapshotAsync(repository, files);
            var destination = new InMemoryObjectStore();

            var reader = new SnapshotReader(await SnapshotRepository.OpenAsync(store, CancellationToken.None));
            var walked = new List<string>();
            await foreach (var file in reader.WalkAsync(snapshot.Id, CancellationToken.None))
            {
                walked.Add(file.Path);
            }

            var result = await reader.RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);

            Assert.Equal(files.Keys.Order(StringComparer.Ordinal), walked);
            RepositoryKit.AssertSameFiles(files, destination.Snapshot());
            Assert.Equal(new RestoreResult(files.Count, 0, files.Values.Sum(f => (long)f.Length)), result);
            Assert.Equal(files.Count, snapshot.Record.Files);
        }, iter: 25);
    }

    [Fact]
    public async Task WriteAsync_NoFiles_WritesASnapshotWithAnEmptyRootTree()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);

        var (snapshot, _) = await RepositoryKit.SnapshotAsync(repository, new Dictionary<string, byte[]>());

        var reader = new SnapshotReader(repository);
        Assert.Empty((await reader.ReadTreeAsync(snapshot.Record.RootTree, CancellationToken.None)).Entries);
        Assert.Equal(0, snapshot.Record.Files);
        Assert.Equal(snapshot.Id, Assert.Single(await reader.ListAsync(CancellationToken.None)).Id);
    }

    [Fact]
    public async Task WriteAsync_DirectoryTimes_AreTheLatestOfTheirChildren()
    {
        var store = new InMemoryObjectStore();
        var repository = await RepositoryKit.InitAsync(store);
        var early = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var empty = new FileContent(TreeEntry.EmptyContentHash, 0, []);
        SnapshotFile[] files = [new("d/e/one", early, empty), new("d/two", early.AddDays(3), empty), new("d/z/three", early.AddDays(1), empty)];

        var snapshot = await new SnapshotWriter(repository, RepositoryKit.NewClock()).WriteAsync(RepositoryKit.ToAsync(files), RepositoryKit.Info(), CancellationToken.None);

        var root = await new SnapshotReader(repository).ReadTreeAsync(snapshot.Record.RootTree, CancellationToken.None);
        Assert.Equal(early.AddDays(3), root.Find("d")!.Modified);
    }

    [Fact]
    public async Task WriteAsync_PathsOutOfOrder_ThrowsNamingBoth()
    {
        var repository = await RepositoryKit.InitAsync(new InMemoryObjectStore());
        var empty = new FileContent(TreeEntry.EmptyContentHash, 0, []);
        SnapshotFile[] files = [new("b/x", default, empty), new("a.txt", default, empty)];

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            new SnapshotWriter(repository, RepositoryKit.NewClock()).WriteAsync(RepositoryKit.ToAsync(files), RepositoryKit.Info(), CancellationToken.None));

        Assert.Contains("'a.txt'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'b/x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_ChunksNotFlushed_ThrowsNamingTheFile()
    {
        var repository = await RepositoryKit.InitAsync(new InMemoryObjectStore());
        var writer = repository.Content.NewWriter(RepositoryKit.PackTarget);
        using var stream = new MemoryStream(RepositoryKit.Bytes(1, 5000));
        var content = await repository.Content.ChunkFileAsync(stream, writer, CancellationToken.None);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new SnapshotWriter(repository, RepositoryKit.NewClock())
            .WriteAsync(RepositoryKit.ToAsync([new SnapshotFile("f", default, content)]), RepositoryKit.Info(), CancellationToken.None));

        Assert.Contains("'f'", e.Message, StringComparison.Ordinal);
    }
}

using SyncFunctions.Core.Snapshots;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Restores that resume, restores of part of a snapshot, and paths that are not in it.</summary>
public sealed class RestoreTests
{
    private static readonly Dictionary<string, byte[]> Files = new(StringComparer.Ordinal)
    {
        ["a.txt"] = RepositoryKit.Bytes(10, 3000),
        ["a/b/c"] = RepositoryKit.Bytes(11, 20_000),
        ["a/d"] = RepositoryKit.Bytes(12, 5000),
        ["e"] = RepositoryKit.Bytes(13, 12_000),
        ["empty"] = [],
    };

    [Fact]
    public async Task RestoreAsync_DestinationHalfRestoredWithOneWrongFile_SkipsTheRightOnesAndRewritesTheWrong()
    {
        var repository = await RepositoryKit.InitAsync(new InMemoryObjectStore());
        var (snapshot, _) = await RepositoryKit.SnapshotAsync(repository, Files);
        var destination = new InMemoryObjectStore();
        destination.Put("a.txt", Files["a.txt"]);
        destination.Put("a/d", Files["a/d"]);
        var wrong = Files["e"].ToArray();
        wrong[100] ^= 1;
        destination.Put("e", wrong);

        var result = await new SnapshotReader(repository).RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);

        Assert.Equal(new RestoreResult(3, 2, Files["a/b/c"].Length + Files["e"].Length), result);
        Assert.Equal(0, destination.WriteCount("a.txt"));
        Assert.Equal(1, destination.WriteCount("e"));
        RepositoryKit.AssertSameFiles(Files, destination.Snapshot());
    }

    [Fact]
    public async Task RestoreAsync_Twice_SecondSkipsEverything()
    {
        var repository = await RepositoryKit.InitAsync(new InMemoryObjectStore());
        var (snapshot, _) = await RepositoryKit.SnapshotAsync(repository, Files);
        var destination = new InMemoryObjectStore();
        var reader = new SnapshotReader(repository);
        await reader.RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);

        var again = await reader.RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);

        Assert.Equal(new RestoreResult(0, Files.Count, 0), again);
    }

    [Theory]
    [InlineData("a", new[] { "a/b/c", "a/d" })]
    [InlineData("a/b", new[] { "a/b/c" })]
    [InlineData("a.txt", new[] { "a.txt" })]
    public async Task RestoreAsync_SubPath_RestoresOnlyWhatIsThereAtItsFullPath(string subPath, string[] expected)
    {
        var repository = await RepositoryKit.InitAsync(new InMemoryObjectStore());
        var (snapshot, _) = await RepositoryKit.SnapshotAsync(repository, Files);
        var destination = new InMemoryObjectStore();

        await new SnapshotReader(repository).RestoreAsync(snapshot.Id, destination, subPath, CancellationToken.None);

        RepositoryKit.AssertSameFiles(Files.Where(f => expected.Contains(f.Key)).ToDictionary(), destination.Snapshot());
    }

    [Theory]
    [InlineData("../etc", "escapes")]
    [InlineData("/a", "absolute")]
    [InlineData("a/nope", "has no 'a/nope'")]
    [InlineData("a.txt/x", "'a.txt' is a file")]
    public async Task RestoreAsync_BadSubPath_ThrowsSayingWhy(string subPath, string expected)
    {
        var repository = await RepositoryKit.InitAsync(new InMemoryObjectStore());
        var (snapshot, _) = await RepositoryKit.SnapshotAsync(repository, Files);

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            new SnapshotReader(repository).RestoreAsync(snapshot.Id, new InMemoryObjectStore(), subPath, CancellationToken.None));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}

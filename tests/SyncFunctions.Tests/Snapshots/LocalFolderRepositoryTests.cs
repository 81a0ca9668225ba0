using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>A repository in a local folder, restored into another: the real store's conditions and ranges.</summary>
public sealed class LocalFolderRepositoryTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("syncfn-repo-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task SnapshotThenRestore_LocalFolders_GiveTheSameFiles()
    {
        var time = RepositoryKit.NewClock();
        var store = new LocalFolderStore(Path.Combine(_root.FullName, "repo"), time);
        Directory.CreateDirectory(store.RootPath);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["a.txt"] = RepositoryKit.Bytes(30, 70_000),
            ["a/b"] = RepositoryKit.Bytes(31, 9000),
            ["a/empty"] = [],
        };
        var repository = await SnapshotRepository.InitAsync(store, RepositoryKit.Chunker, time, CancellationToken.None);
        var (snapshot, _) = await RepositoryKit.SnapshotAsync(repository, files);
        var destination = new LocalFolderStore(Path.Combine(_root.FullName, "restored"), time);
        Directory.CreateDirectory(destination.RootPath);

        var reader = new SnapshotReader(await SnapshotRepository.OpenAsync(store, CancellationToken.None));
        var result = await reader.RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);
        var again = await reader.RestoreAsync(snapshot.Id, destination, null, CancellationToken.None);

        Assert.Equal(3, result.FilesWritten);
        Assert.Equal(3, again.FilesSkipped);
        foreach (var (path, content) in files)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(destination.RootPath, path)));
        }

        await Assert.ThrowsAsync<SnapshotRepositoryException>(() => SnapshotRepository.InitAsync(store, RepositoryKit.Chunker, time, CancellationToken.None));
    }
}

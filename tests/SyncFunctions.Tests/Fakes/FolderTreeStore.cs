using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>
/// A destination with real folders, like a drive, over an <see cref="InMemoryObjectStore"/>: writes and moves
/// create the folders above their path, deletes and moves leave them behind, and
/// <see cref="PruneEmptyFoldersAsync"/> removes the given ones that hold nothing (deepest first). Records every
/// prune call with the objects present at that moment. With <see cref="MovesFolders"/> it also moves whole folders
/// (<see cref="IServerSideFolderMove"/>: one request, versions kept), like a drive.
/// </summary>
public sealed class FolderTreeStore(InMemoryObjectStore inner) : IObjectStore, IServerSideMove, IServerSideFolderMove, IEmptyFolderPruner
{
    private readonly object _gate = new();
    private readonly SortedSet<string> _folders = new(StringComparer.Ordinal);
    private readonly List<PruneCall> _calls = [];

    public InMemoryObjectStore Inner => inner;

    public string DisplayName => inner.DisplayName;

    /// <summary>Offers <see cref="IServerSideFolderMove"/> (off: the engine moves files one by one).</summary>
    public bool MovesFolders { get; init; }

    /// <summary>Folder moves done (<see cref="MoveFolderAsync"/> calls that moved something).</summary>
    public int FolderMoves => inner.TreeMoves;

    public T? GetCapability<T>()
        where T : class => typeof(T) == typeof(IServerSideFolderMove) && !MovesFolders ? null : this as T;

    /// <summary>Awaited at the start of each prune call (lets a test block or observe it).</summary>
    public Func<IReadOnlyCollection<string>, CancellationToken, Task>? BeforePrune { get; set; }

    /// <summary>Thrown by every prune call when set.</summary>
    public Exception? PruneFault { get; set; }

    /// <summary>Every folder, in ordinal order.</summary>
    public IReadOnlyList<string> Folders
    {
        get
        {
            lock (_gate)
            {
                return [.. _folders];
            }
        }
    }

    public IReadOnlyList<PruneCall> PruneCalls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Every folder path given to any prune call.</summary>
    public IReadOnlySet<string> PrunedCandidates => PruneCalls.SelectMany(c => c.Folders).ToHashSet(StringComparer.Ordinal);

    public async IAsyncEnumerable<ListingEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in inner.ListAsync(cancellationToken))
        {
            yield return entry;
        }
    }

    public Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken) => inner.GetInfoAsync(path, cancellationToken);

    public Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(path, offset, length, cancellationToken);

    public Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        AddFoldersAbove(path);
        return inner.WriteAsync(path, content, options, cancellationToken);
    }

    public Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken) => inner.DeleteAsync(path, options, cancellationToken);

    public Task<WriteResult> MoveAsync(string fromPath, string toPath, WriteOptions options, CancellationToken cancellationToken)
    {
        AddFoldersAbove(toPath);
        return inner.MoveAsync(fromPath, toPath, options, cancellationToken);
    }

    public async Task MoveFolderAsync(string fromFolder, string toFolder, CancellationToken cancellationToken)
    {
        var objects = inner.Paths;
        lock (_gate)
        {
            var fromPrefix = fromFolder + "/";
            if (!_folders.Contains(fromFolder) && !objects.Any(p => p.StartsWith(fromPrefix, StringComparison.Ordinal)))
            {
                throw new StorageException(StorageErrorKind.NotFound, $"{DisplayName}: no folder at '{fromFolder}'", status: 404);
            }

            if (_folders.Contains(toFolder) || objects.Any(p => p == toFolder || p.StartsWith(toFolder + "/", StringComparison.Ordinal)))
            {
                throw new StorageException(StorageErrorKind.PreconditionFailed, $"{DisplayName}: '{toFolder}' exists already", status: 409);
            }
        }

        await inner.MoveTreeAsync(fromFolder, toFolder, cancellationToken);
        lock (_gate)
        {
            var moved = _folders.Where(f => f == fromFolder || f.StartsWith(fromFolder + "/", StringComparison.Ordinal)).ToList();
            foreach (var folder in moved)
            {
                _folders.Remove(folder);
                _folders.Add(toFolder + folder[fromFolder.Length..]);
            }
        }

        AddFoldersAbove(toFolder + "/x");
    }

    public async Task PruneEmptyFoldersAsync(IReadOnlyCollection<string> folders, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _calls.Add(new PruneCall([.. folders], inner.Paths));
        }

        if (BeforePrune is { } hook)
        {
            await hook(folders, cancellationToken);
        }

        if (PruneFault is { } fault)
        {
            throw fault;
        }

        var objects = inner.Paths;
        lock (_gate)
        {
            foreach (var folder in folders.Where(f => f.Length > 0).OrderByDescending(f => f.Count(c => c == '/')))
            {
                var prefix = folder + "/";
                if (!objects.Any(p => p.StartsWith(prefix, StringComparison.Ordinal)) && !_folders.Any(f => f.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    _folders.Remove(folder);
                }
            }
        }
    }

    private void AddFoldersAbove(string path)
    {
        lock (_gate)
        {
            for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            {
                _folders.Add(path[..slash]);
            }
        }
    }

    /// <summary>One prune call: the folders given, and the object paths present when it was made.</summary>
    public sealed record PruneCall(IReadOnlyList<string> Folders, IReadOnlyList<string> ObjectsAtCall);
}

using System.Collections.Concurrent;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Chunking;

namespace SyncFunctions.Core.Snapshots.Destination;

/// <summary>
/// A snapshot repository as a run's destination (<c>repo:CONTAINER[/PREFIX]</c>): each pair writes through its own
/// view (<see cref="ForPair"/>), which lists the pair's latest snapshot and commits a new one when the run ends.
/// The repository is created on the first write into an empty root and opened once per process.
/// </summary>
/// <remarks>
/// The unbound store answers nothing itself: which files it holds depends on the pair (the engine binds it through
/// <see cref="ISnapshotDestination"/>). Thread-safe; one instance serves every pair and worker of a process, so their
/// small files share packs (<see cref="SharedChunkWriter"/>).
/// </remarks>
public sealed class RepositoryDestination : IObjectStore, ISnapshotDestination
{
    private readonly ConcurrentDictionary<string, RepositoryPairStore> _pairs = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly ChunkerOptions _chunkerForNew;
    private Task<Opened?>? _opening;

    /// <summary>A repository in <paramref name="root"/> (created there on first write with <paramref name="chunkerForNew"/>).</summary>
    public RepositoryDestination(IObjectStore root, TimeProvider time, ChunkerOptions? chunkerForNew = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(time);
        Root = root;
        Time = time;
        _chunkerForNew = chunkerForNew ?? ChunkerOptions.Default;
    }

    /// <summary>The store holding the repository.</summary>
    public IObjectStore Root { get; }

    internal TimeProvider Time { get; }

    public string DisplayName => "snapshot repository " + Root.DisplayName;

    public IObjectStore ForPair(string pairId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pairId);
        return _pairs.GetOrAdd(pairId, id => new RepositoryPairStore(this, id));
    }

    public T? GetCapability<T>()
        where T : class => this as T;

    public IAsyncEnumerable<ListingEntry> ListAsync(CancellationToken cancellationToken) => throw Unbound();

    public Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken) => throw Unbound();

    public Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken) => throw Unbound();

    public Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken) => throw Unbound();

    public Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken) => throw Unbound();

    /// <summary>
    /// The repository and the process's shared writer: opened on first use, created first when <paramref name="create"/>
    /// and the root holds none (null then when not creating).
    /// </summary>
    internal Task<Opened?> OpenAsync(bool create, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // One opening is shared by every caller (so with no caller's token); a failed one, or one that found no
            // repository (another process may create it any time), is tried again.
            if (_opening is null || _opening.IsFaulted || _opening.IsCanceled || _opening is { IsCompletedSuccessfully: true, Result: null })
            {
                _opening = OpenOrCreateAsync(create);
            }

            return _opening.WaitAsync(cancellationToken);
        }
    }

    private async Task<Opened?> OpenOrCreateAsync(bool create)
    {
        SnapshotRepository repository;
        try
        {
            repository = await SnapshotRepository.OpenAsync(Root, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SnapshotRepositoryException) when (create)
        {
            repository = await CreateAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SnapshotRepositoryException)
        {
            return null;
        }

        return new Opened(repository, new SharedChunkWriter(repository.Content), new SnapshotReader(repository));
    }

    private async Task<SnapshotRepository> CreateAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await SnapshotRepository.InitAsync(Root, _chunkerForNew, Time, cancellationToken).ConfigureAwait(false);
        }
        catch (SnapshotRepositoryException)
        {
            // Another process created it meanwhile.
            return await SnapshotRepository.OpenAsync(Root, cancellationToken).ConfigureAwait(false);
        }
    }

    private InvalidOperationException Unbound() =>
        new($"{DisplayName} holds snapshots of pairs: a run reads and writes it through the view of its pair ({nameof(ISnapshotDestination)}.{nameof(ForPair)})");

    /// <summary>An open repository with the process's writer and reader.</summary>
    internal sealed record Opened(SnapshotRepository Repository, SharedChunkWriter Writer, SnapshotReader Reader);
}

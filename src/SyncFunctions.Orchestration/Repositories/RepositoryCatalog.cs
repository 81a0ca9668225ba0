using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Destination;

namespace SyncFunctions.Orchestration.Repositories;

/// <summary>The store holding a snapshot repository, from the repository's canonical endpoint (a pair's destination). Composition roots implement it.</summary>
public interface IRepositoryRoots
{
    /// <summary>The repository's root store, retried like every store of the host.</summary>
    /// <exception cref="ArgumentException"><paramref name="repository"/> is not a canonical <c>repo:</c> endpoint of this host.</exception>
    IObjectStore OpenRoot(string repository);
}

/// <summary>A snapshot repository the host knows: the destination of one or more named pairs.</summary>
/// <param name="Repository">Its canonical endpoint (<c>repo:…</c>).</param>
/// <param name="Pairs">The names of the pairs that write into it, in ordinal order.</param>
public sealed record RepositoryRef(string Repository, IReadOnlyList<string> Pairs);

/// <summary>The snapshot repositories of a host: every distinct <c>repo:</c> destination of its named pairs.</summary>
/// <remarks>Thread-safe; reads the pair definitions anew on every call. A host without <paramref name="roots"/> lists none.</remarks>
public sealed class RepositoryCatalog(IPairCatalog pairs, IRepositoryRoots? roots)
{
    private const string Prefix = RepositoryEndpointScheme.SchemeName + ":";

    /// <summary>The repositories, in ordinal order of their endpoints.</summary>
    public async Task<IReadOnlyList<RepositoryRef>> ListAsync(CancellationToken cancellationToken)
    {
        if (roots is null)
        {
            return [];
        }

        var byRepository = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        await foreach (var definition in pairs.ListDefinitionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (definition.Destination.StartsWith(Prefix, StringComparison.Ordinal))
            {
                if (!byRepository.TryGetValue(definition.Destination, out var names))
                {
                    byRepository[definition.Destination] = names = new SortedSet<string>(StringComparer.Ordinal);
                }

                names.Add(definition.Name);
            }
        }

        return [.. byRepository.Select(r => new RepositoryRef(r.Key, [.. r.Value]))];
    }

    /// <summary>Opens a repository the catalog lists.</summary>
    /// <exception cref="SnapshotRepositoryException">There is no repository there (no pair has written one yet).</exception>
    public Task<SnapshotRepository> OpenAsync(string repository, CancellationToken cancellationToken) =>
        SnapshotRepository.OpenAsync((roots ?? throw new InvalidOperationException("this host opens no snapshot repositories")).OpenRoot(repository), cancellationToken);
}

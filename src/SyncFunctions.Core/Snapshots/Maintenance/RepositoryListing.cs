using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>
/// Every object of a repository's layout, from one listing of its store: packs with their sizes, indexes, trees,
/// snapshot records, record sets and heads. Paths outside the layout are left out.
/// </summary>
internal sealed class RepositoryListing
{
    public bool HasConfig { get; private set; }

    /// <summary>Each pack's size, as listed.</summary>
    public Dictionary<ObjectId, long> Packs { get; } = [];

    public List<ObjectId> Indexes { get; } = [];

    public HashSet<ObjectId> Trees { get; } = [];

    public List<ObjectId> Snapshots { get; } = [];

    public List<ObjectId> RecordSets { get; } = [];

    /// <summary>The pair ids of the heads.</summary>
    public List<string> Heads { get; } = [];

    public static async Task<RepositoryListing> ReadAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var listing = new RepositoryListing();
        await foreach (var entry in store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (entry.Object is not { } info || !RepositoryLayout.TryParse(info.Path, out var parsed))
            {
                continue;
            }

            switch (parsed.Kind)
            {
                case RepositoryObjectKind.Config:
                    listing.HasConfig = true;
                    break;
                case RepositoryObjectKind.Pack:
                    listing.Packs[parsed.Id] = info.Size;
                    break;
                case RepositoryObjectKind.Index:
                    listing.Indexes.Add(parsed.Id);
                    break;
                case RepositoryObjectKind.Tree:
                    listing.Trees.Add(parsed.Id);
                    break;
                case RepositoryObjectKind.Snapshot:
                    listing.Snapshots.Add(parsed.Id);
                    break;
                case RepositoryObjectKind.Head:
                    listing.Heads.Add(parsed.PairId!);
                    break;
                case RepositoryObjectKind.RecordSet:
                    listing.RecordSets.Add(parsed.Id);
                    break;
                default:
                    break;
            }
        }

        return listing;
    }
}

/// <summary>
/// The indexes of a repository, each read and decoded (or the damage that stopped it), and the live ones: those no
/// decoded index supersedes, as <see cref="RepositoryContent.RefreshAsync"/> counts them.
/// </summary>
internal sealed class IndexSet
{
    private const int ReadParallelism = 8;

    private IndexSet(IReadOnlyList<(ObjectId Id, PackIndex? Index, VerifyProblem? Problem)> indexes)
    {
        All = indexes;
        var superseded = indexes.Where(x => x.Index is not null).SelectMany(x => x.Index!.Supersedes).ToHashSet();
        foreach (var (id, index, _) in indexes)
        {
            if (index is null || superseded.Contains(id))
            {
                continue;
            }

            foreach (var pack in index.Packs)
            {
                if (!Packs.TryGetValue(pack.PackId, out var namers))
                {
                    Packs[pack.PackId] = namers = [];
                }

                namers.Add((id, pack));
                foreach (var entry in pack.Chunks)
                {
                    Chunks.TryAdd(entry.ChunkId, new ChunkLocation(pack.PackId, entry));
                }
            }
        }
    }

    /// <summary>Every index, by id, decoded or with its problem.</summary>
    public IReadOnlyList<(ObjectId Id, PackIndex? Index, VerifyProblem? Problem)> All { get; }

    /// <summary>Every pack a live index names, with the indexes that name it and what each says it holds.</summary>
    public Dictionary<ObjectId, List<(ObjectId IndexId, IndexedPack Pack)>> Packs { get; } = [];

    /// <summary>Every chunk of a live index, at one of its locations.</summary>
    public Dictionary<ObjectId, ChunkLocation> Chunks { get; } = [];

    /// <summary>Reads and decodes every index of <paramref name="ids"/>; damage becomes a problem, store errors are thrown.</summary>
    public static async Task<IndexSet> ReadAsync(IObjectStore store, IReadOnlyList<ObjectId> ids, Action? itemDone, CancellationToken cancellationToken)
    {
        var indexes = new (ObjectId Id, PackIndex? Index, VerifyProblem? Problem)[ids.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var id = ids[i];
                var path = RepositoryLayout.IndexPath(id);
                var bytes = await RepositoryStore.TryReadAllAsync(store, path, ct).ConfigureAwait(false);
                try
                {
                    indexes[i] = bytes is null
                        ? (id, null, new VerifyProblem(path, FormatDamage.Missing, "was listed but could not be read (deleted meanwhile?)"))
                        : (id, PackIndex.Decode(id, bytes), null);
                }
                catch (RepositoryFormatException e)
                {
                    indexes[i] = (id, null, new VerifyProblem(path, e.Damage, e.Problem));
                }

                itemDone?.Invoke();
            }).ConfigureAwait(false);
        return new IndexSet([.. indexes.OrderBy(x => x.Id)]);
    }
}

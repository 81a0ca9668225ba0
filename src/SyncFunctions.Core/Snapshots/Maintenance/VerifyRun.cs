using SyncFunctions.Abstractions;
using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>The state of one <see cref="RepositoryVerifier.VerifyAsync"/>: what was found, phase by phase.</summary>
internal sealed partial class VerifyRun(IObjectStore store, IProgress<VerifyProgress>? progress, CancellationToken cancellationToken)
{
    private const int Parallelism = 8;

    private readonly object _gate = new();
    private readonly List<VerifyProblem> _problems = [];
    private RepositoryListing _listing = new();
    private IndexSet? _indexes;

    private ParallelOptions Options => new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };

    private IndexSet Indexes => _indexes ?? throw new InvalidOperationException("the indexes are checked first");

    public async Task CheckConfigAsync()
    {
        var phase = new PhaseProgress(progress, VerifyPhase.Listing, 1);
        _listing = await RepositoryListing.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        var bytes = await RepositoryStore.TryReadAllAsync(store, RepositoryLayout.ConfigPath, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            Add(new VerifyProblem(RepositoryLayout.ConfigPath, FormatDamage.Missing, "is not in the store: this is no repository (or its config was deleted)"));
        }
        else
        {
            try
            {
                var chunker = RepositoryConfig.Decode(bytes).Chunker;
                if (new ChunkerOptions(chunker.Min, chunker.Average, chunker.Max).Problem() is { } problem)
                {
                    Add(new VerifyProblem(RepositoryLayout.ConfigPath, FormatDamage.Malformed, $"its chunk sizes cannot be used: {problem}"));
                }
            }
            catch (RepositoryFormatException e)
            {
                Add(new VerifyProblem(RepositoryLayout.ConfigPath, e.Damage, e.Problem));
            }
        }

        phase.Step();
        phase.Finish();
    }

    public async Task CheckIndexesAsync()
    {
        var phase = new PhaseProgress(progress, VerifyPhase.Indexes, _listing.Indexes.Count);
        _indexes = await IndexSet.ReadAsync(store, _listing.Indexes, phase.Step, cancellationToken).ConfigureAwait(false);
        foreach (var (_, _, problem) in _indexes.All)
        {
            if (problem is not null)
            {
                Add(problem);
            }
        }

        phase.Finish();
    }

    public VerifyReport Report()
    {
        lock (_gate)
        {
            return new VerifyReport
            {
                Snapshots = _records.Count,
                Heads = _heads,
                RecordSets = _recordSets,
                Trees = _treesRead,
                Indexes = _listing.Indexes.Count,
                Packs = Indexes.Packs.Count,
                ChunksChecked = _referenced.Count,
                ChunksRead = _chunksRead,
                PacksRead = _readPacks.Count,
                BytesRead = _bytesRead,
                ReadPacks = [.. _readPacks.Order()],
                UnreferencedTrees = _listing.Trees.Count(t => !_reachedTrees.Contains(t)),
                UnindexedPacks = _listing.Packs.Keys.Count(p => !Indexes.Packs.ContainsKey(p)),
                Problems = [.. _problems.OrderBy(p => p.Object, StringComparer.Ordinal).ThenBy(p => p.Detail, StringComparer.Ordinal)],
            };
        }
    }

    private void Add(VerifyProblem problem)
    {
        lock (_gate)
        {
            _problems.Add(problem);
        }
    }
}

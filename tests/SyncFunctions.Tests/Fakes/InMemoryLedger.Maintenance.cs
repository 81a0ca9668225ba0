using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Fakes;

/// <summary>Maintenance: staging areas ("stg:" + run id) and whole-run removal.</summary>
public sealed partial class InMemoryLedger
{
    private const string AreaPrefix = "stg:";

    public string StagingAreaOf(string runId) => AreaPrefix + runId;

    public async IAsyncEnumerable<string> ListStagingAreasAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ListStagingAreasAsync), 1, cancellationToken);
        string[] areas;
        lock (_gate)
        {
            areas = [.. _staged.Keys.Order(StringComparer.Ordinal).Select(StagingAreaOf)];
        }

        foreach (var area in areas)
        {
            yield return area;
        }
    }

    public async Task<bool> DeleteStagingAreaAsync(string areaId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(DeleteStagingAreaAsync), 1, cancellationToken);
        if (!areaId.StartsWith(AreaPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{areaId}' is not a staging area of this ledger", nameof(areaId));
        }

        lock (_gate)
        {
            return _staged.Remove(areaId[AreaPrefix.Length..]);
        }
    }

    public async Task<RunRemoval> DeleteRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(DeleteRunAsync), 1, cancellationToken);
        lock (_gate)
        {
            long actions = 0, items = 0;
            if (_items.Remove(run.RunId, out var rows))
            {
                items = rows.Count;
            }

            // Actions whose item row was never written go too.
            foreach (var key in _actions.Keys.Where(k => k.Run == run.RunId).ToList())
            {
                actions += _actions.Remove(key, out var a) ? a.Count : 0;
            }

            _staged.Remove(run.RunId);
            var removed = _runs.TryGetValue((run.PairId, run.RunId), out var current) && (run.ETag is null || current.ETag == run.ETag) && _runs.Remove((run.PairId, run.RunId));
            return new RunRemoval(removed, items, actions);
        }
    }
}

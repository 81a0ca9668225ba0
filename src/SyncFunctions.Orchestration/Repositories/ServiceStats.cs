using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Orchestration.Repositories;

/// <summary>The last run of a pair as the stats show it.</summary>
public sealed record PairRunStats(string RunId, string Status, string Trigger, DateTimeOffset CreatedAt, DateTimeOffset? EndedAt, long TotalActions, long SucceededActions, long FailedActions, long BytesDone);

/// <summary>One named pair's stats: its endpoints, how many runs the ledger holds, its last run.</summary>
public sealed record PairStats(string Name, string Source, string Destination, string? Schedule, int Runs, PairRunStats? LastRun);

/// <summary>One repository's stats (<see cref="RepositoryStatistics"/>), or why there are none.</summary>
public sealed record RepositoryStatsEntry(string Repository, IReadOnlyList<string> Pairs, RepositoryStatistics? Statistics, string? Error);

/// <summary>What <c>GET /api/stats</c> answers.</summary>
public sealed record ServiceStatsReport(DateTimeOffset At, IReadOnlyList<PairStats> Pairs, IReadOnlyList<RepositoryStatsEntry> Repositories);

/// <summary>Stats per named pair (from the ledger) and per snapshot repository (read from each repository anew).</summary>
/// <remarks>Thread-safe. A repository not written yet or damaged has an error instead of statistics; store failures are thrown.</remarks>
public sealed class ServiceStats(IPairCatalog pairs, ILedger ledger, RepositoryCatalog repositories, TimeProvider time)
{
    public async Task<ServiceStatsReport> ComputeAsync(CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var pairStats = new List<PairStats>();
        await foreach (var definition in pairs.ListDefinitionsAsync(cancellationToken).ConfigureAwait(false))
        {
            var runs = 0;
            RunRecord? last = null;
            await foreach (var run in ledger.ListRunsAsync(definition.PairId, cancellationToken).ConfigureAwait(false))
            {
                runs++;
                last = last is null || run.CreatedAt > last.CreatedAt ? run : last;
            }

            var lastRun = last is null
                ? null
                : new PairRunStats(last.RunId, last.Status.ToString(), last.Trigger, last.CreatedAt, last.EndedAt, last.TotalActions, last.SucceededActions, last.FailedActions, last.BytesDone);
            pairStats.Add(new PairStats(definition.Name, definition.Source, definition.Destination, definition.Schedule, runs, lastRun));
        }

        var repositoryStats = new List<RepositoryStatsEntry>();
        foreach (var repository in await repositories.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            repositoryStats.Add(await StatsOfAsync(repository, cancellationToken).ConfigureAwait(false));
        }

        return new ServiceStatsReport(at, [.. pairStats.OrderBy(p => p.Name, StringComparer.Ordinal)], repositoryStats);
    }

    private async Task<RepositoryStatsEntry> StatsOfAsync(RepositoryRef repository, CancellationToken cancellationToken)
    {
        try
        {
            var open = await repositories.OpenAsync(repository.Repository, cancellationToken).ConfigureAwait(false);
            var statistics = await new RepositoryStats(open).ComputeAsync(cancellationToken).ConfigureAwait(false);
            return new RepositoryStatsEntry(repository.Repository, repository.Pairs, statistics, null);
        }
        catch (SnapshotRepositoryException e)
        {
            return new RepositoryStatsEntry(repository.Repository, repository.Pairs, null, e.Message);
        }
        catch (RepositoryFormatException e)
        {
            return new RepositoryStatsEntry(repository.Repository, repository.Pairs, null, $"the repository is damaged: {e.Message}");
        }
    }
}

using SyncFunctions.Abstractions;
using SyncFunctions.Core.Observe;
using SyncFunctions.Core.Planning;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.InProcess;

public sealed partial class SyncEngine
{
    private const int MaxListedPlan = 10_000;

    /// <summary>Plans against the baseline and reports; writes nothing (no run, no pair row).</summary>
    private async Task<RunSummary> DryRunAsync(PairRecord pair, SyncOptions options, long started, CancellationToken cancellationToken)
    {
        await _ledger.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var planned = new List<PlannedChange>();
        var skipped = new List<PathProblem>();
        long total = 0, bytes = 0, deletes = 0, baselineCount = 0;
        var baseline = CountAsync(_ledger.ListBaselineAsync(pair.PairId, cancellationToken), () => baselineCount++);
        var destination = Observer.ListDestinationAsync(_destination, cancellationToken);
        await foreach (var step in Planner.PlanAsync(_source.ListAsync(cancellationToken), baseline, destination, cancellationToken).ConfigureAwait(false))
        {
            total++;
            if (step.Skipped is { } s)
            {
                skipped.Add(new PathProblem(s.Path, s.Reason));
                continue;
            }

            var a = step.Action!;
            deletes += a.Kind == ActionKind.Delete ? 1 : 0;
            bytes += a.Kind == ActionKind.Upload ? a.Source!.Size : 0;
            if (planned.Count < MaxListedPlan)
            {
                planned.Add(new PlannedChange(a.Kind.ToString(), a.Path, a.Source?.Size ?? 0, a.Reason));
            }
        }

        var held = options.MaxDelete is { } limit && !limit.Allows(deletes, baselineCount);
        return new RunSummary
        {
            PairId = pair.PairId,
            Outcome = held ? RunOutcome.DeletesHeldBack : RunOutcome.Succeeded,
            DryRun = true,
            Total = total,
            Skipped = skipped.Count,
            BytesTotal = bytes,
            HeldBackDeletes = held ? deletes : 0,
            SkippedItems = skipped,
            Planned = planned,
            Duration = _env.Time.GetElapsedTime(started),
            Message = held ? $"{deletes} deletes would be held back by --max-delete {options.MaxDelete}" : null,
        };
    }

    private static async IAsyncEnumerable<T> CountAsync<T>(IAsyncEnumerable<T> items, Action counted)
    {
        await foreach (var item in items.ConfigureAwait(false))
        {
            counted();
            yield return item;
        }
    }
}

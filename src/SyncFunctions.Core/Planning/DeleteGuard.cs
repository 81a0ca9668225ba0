using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Planning;

/// <summary>What a plan adds up to: the value the delete guard and a dry run's report are computed from.</summary>
/// <param name="Actions">Every planned action, skipped paths included.</param>
/// <param name="Bytes">Bytes of the planned uploads.</param>
/// <param name="Deletes">Planned deletes.</param>
/// <param name="BaselineCount">Paths the pair had synced (the base of a percentage limit).</param>
public sealed record PlanTotals(long Actions, long Bytes, long Deletes, long BaselineCount);

/// <summary>The delete guard's decision for a whole plan.</summary>
/// <param name="HoldBack">Every delete of the run is held back (and carried over).</param>
/// <param name="Message">Why, in the engine's words (hosts name their own option).</param>
public sealed record DeleteDecision(bool HoldBack, string? Message);

/// <summary>The delete guard: one pure function of the plan's totals and the run's limit, the same for every planner and for dry runs.</summary>
public static class DeleteGuard
{
    public static DeleteDecision Decide(PlanTotals totals, MaxDeleteLimit? limit)
    {
        ArgumentNullException.ThrowIfNull(totals);
        if (limit is null || limit.Allows(totals.Deletes, totals.BaselineCount))
        {
            return new DeleteDecision(false, null);
        }

        return new DeleteDecision(
            true,
            $"{totals.Deletes} deletes held back: more than the delete limit {limit} allows (the baseline has {totals.BaselineCount} items); they stay in the pair's carry-over set");
    }
}

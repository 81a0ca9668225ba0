namespace SyncFunctions.Abstractions;

/// <summary>
/// A previewed plan of a named pair (<c>POST /api/pairs/{name}/plan</c>): what the pair and its plan were when it was
/// made, so <c>POST /api/plans/{id}/apply</c> runs exactly that plan or refuses. The plan's actions are not stored: a
/// run that applies it plans again and must arrive at the same <see cref="Fingerprint"/> before anything executes.
/// </summary>
/// <param name="PlanId">The plan's id (32 hex digits; a row key and a URL segment).</param>
/// <param name="PairName">The named pair it was made for.</param>
/// <param name="PairId">That pair's id.</param>
/// <param name="DefinitionETag">The named pair's ETag then: a pair removed and added again, or changed, no longer matches.</param>
/// <param name="PairETag">The pair row's ETag then (null: the pair had never run); any run since changes it.</param>
/// <param name="Fingerprint">The plan's fingerprint (<c>sha256:</c> over its actions, see the engine's PlanFingerprint).</param>
/// <param name="Actions">Actions in the plan.</param>
/// <param name="Bytes">Bytes its uploads cover.</param>
/// <param name="Deletes">Deletes in it.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">After this it can no longer be applied.</param>
/// <param name="AppliedRunId">The run that applies it, once one was started (a plan is applied at most once).</param>
/// <param name="ETag">The stored row's ETag.</param>
public sealed record PlanRecord(
    string PlanId,
    string PairName,
    string PairId,
    string? DefinitionETag,
    string? PairETag,
    string Fingerprint,
    long Actions,
    long Bytes,
    long Deletes,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? AppliedRunId = null,
    string? ETag = null);

/// <summary>Previewed plans in the ledger account, shared by every service host.</summary>
public interface IPlanLedger
{
    /// <summary>The plan <paramref name="planId"/>, or null (also for an id no stored plan can have).</summary>
    Task<PlanRecord?> GetPlanAsync(string planId, CancellationToken cancellationToken);

    /// <summary>Every stored plan (for maintenance: expired ones are removed).</summary>
    IAsyncEnumerable<PlanRecord> ListPlansAsync(CancellationToken cancellationToken);

    /// <summary>Adds a plan whose id is new; returns it with its ETag, or null when the id is taken.</summary>
    Task<PlanRecord?> TryAddPlanAsync(PlanRecord plan, CancellationToken cancellationToken);

    /// <summary>Replaces the plan if its ETag still matches; null when it changed or is gone.</summary>
    Task<PlanRecord?> TryUpdatePlanAsync(PlanRecord plan, CancellationToken cancellationToken);

    /// <summary>Removes the plan; false when there was none.</summary>
    Task<bool> RemovePlanAsync(string planId, CancellationToken cancellationToken);
}

/// <summary>The rules of plan ids.</summary>
public static class PlanIds
{
    /// <summary>A new plan id: 32 lowercase hex digits.</summary>
    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>Whether <paramref name="id"/> has the shape of a plan id (checked before any storage call).</summary>
    public static bool IsWellFormed(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);
}

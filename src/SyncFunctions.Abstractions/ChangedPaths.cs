namespace SyncFunctions.Abstractions;

/// <summary>
/// One path a pair's source reported changed (a blob event), staged until a run that planned it ends well.
/// </summary>
/// <param name="PairId">The pair.</param>
/// <param name="Path">The path relative to the pair's source root (<see cref="RelativePath"/> rules).</param>
/// <param name="StagedAt">When it was last staged (the staging host's clock; for display only).</param>
/// <param name="TakenBy">The run that took it to plan (null: waiting for the next run).</param>
public sealed record ChangedPath(string PairId, string Path, DateTimeOffset StagedAt, string? TakenBy = null);

/// <summary>
/// Changed paths of listing sources (Event Grid blob events): staged by webhooks, taken by the pair's next run, which
/// then checks only those paths against the source, and removed when that run has ended well.
/// </summary>
/// <remarks>
/// <para>The protocol keeps every change: staging a path again clears its <see cref="ChangedPath.TakenBy"/>, so a path
/// that changes again while a run works on it stays for the next run; a take and a removal are conditional on the row
/// they read (ETag), so a path staged between the read and the write is left for the next run as well. Only one run of
/// a pair is active at a time, so a row another run took belongs to a run that ended without removing it (cancelled,
/// failed): a take takes it again.</para>
/// <para>Implementations are thread-safe. Tokens cancel the one call.</para>
/// </remarks>
public interface IChangedPathLedger
{
    /// <summary>Upserts each path as staged at <paramref name="stagedAt"/> and taken by no run (batched, at most 100 rows per request).</summary>
    /// <param name="pairId">The pair.</param>
    /// <param name="paths">Valid relative paths; duplicates are staged once.</param>
    /// <param name="stagedAt">When they were reported.</param>
    /// <param name="cancellationToken">Stops the call; some batches may have been written (staging is an upsert: the caller may repeat it).</param>
    Task StageChangedPathsAsync(string pairId, IReadOnlyList<string> paths, DateTimeOffset stagedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Marks every staged path of the pair that <paramref name="runId"/> does not hold yet as taken by it (a row that
    /// changed since it was read is left as it is); returns how many paths the run holds now. Repeating it is harmless.
    /// </summary>
    Task<long> TakeChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken);

    /// <summary>Every staged path of the pair, taken or not, in canonical order (ordinal by path); a pair with none is empty.</summary>
    IAsyncEnumerable<ChangedPath> ListChangedPathsAsync(string pairId, CancellationToken cancellationToken);

    /// <summary>Removes the paths <paramref name="runId"/> took, except those staged again since (they wait for the next run).</summary>
    Task RemoveChangedPathsAsync(string pairId, string runId, CancellationToken cancellationToken);
}

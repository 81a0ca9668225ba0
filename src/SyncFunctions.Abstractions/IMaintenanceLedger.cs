namespace SyncFunctions.Abstractions;

/// <summary>What <see cref="IMaintenanceLedger.DeleteRunAsync"/> removed.</summary>
/// <param name="RunRemoved">The run row was deleted (false: it changed since it was read, or was gone; its children were removed all the same).</param>
/// <param name="WorkItems">Work item rows deleted.</param>
/// <param name="Actions">Action rows deleted.</param>
public sealed record RunRemoval(bool RunRemoved, long WorkItems, long Actions);

/// <summary>
/// Removal of what runs leave behind, for maintenance: run rows with their work items and actions, and change-feed
/// staging areas (one per run; their names do not carry the run id, so a run maps to its area, not back).
/// </summary>
/// <remarks>Only maintenance calls these; the run protocol never deletes a run.</remarks>
public interface IMaintenanceLedger
{
    /// <summary>The id of the staging area <paramref name="runId"/> stages into (whether or not it exists).</summary>
    string StagingAreaOf(string runId);

    /// <summary>Every staging area that exists, of any run (also of runs whose row is gone).</summary>
    IAsyncEnumerable<string> ListStagingAreasAsync(CancellationToken cancellationToken);

    /// <summary>Drops a staging area with everything in it; false when it did not exist.</summary>
    Task<bool> DeleteStagingAreaAsync(string areaId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the run's action rows, then its work item rows, then its staging area, then the run row with If-Match
    /// on <paramref name="run"/>'s ETag, so an interrupted removal leaves the run row to find again and a run that
    /// changed meanwhile keeps its row. Idempotent.
    /// </summary>
    Task<RunRemoval> DeleteRunAsync(RunRecord run, CancellationToken cancellationToken);
}

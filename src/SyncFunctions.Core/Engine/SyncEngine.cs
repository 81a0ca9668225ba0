using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Engine;

/// <summary>
/// Runs one sync pair: start or resume a run (taking over a dead owner's run), observe and plan the
/// source against the baseline into ledger work items, execute them with many workers, and finalize.
/// </summary>
/// <remarks>
/// Any number of engines (in any number of processes) can work on one run: every step is a CAS on the
/// ledger. The token given to <see cref="SyncAsync"/> interrupts the run: state is saved and the run
/// stays resumable; it is not a cancel of the run (see <c>RunAdmin.CancelAsync</c>).
/// </remarks>
public sealed partial class SyncEngine
{
    private readonly ILedger _ledger;
    private readonly IObjectStore _source;
    private readonly IObjectStore _destination;
    private readonly EngineEnvironment _env;

    public SyncEngine(ILedger ledger, IObjectStore source, IObjectStore destination, EngineEnvironment env)
    {
        _ledger = ledger;
        _source = source;
        _destination = destination;
        _env = env;
    }

    /// <summary>Starts a run of <paramref name="pair"/> (or resumes its unfinished one) and works until it ends.</summary>
    public Task<RunSummary> SyncAsync(PairRecord pair, SyncOptions options, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Joins an existing run as an extra worker and works until no claimable work is left.</summary>
    public Task<RunSummary> JoinAsync(string runId, SyncOptions options, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}

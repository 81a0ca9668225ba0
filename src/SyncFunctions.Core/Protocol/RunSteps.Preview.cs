using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;

namespace SyncFunctions.Core.Protocol;

public sealed partial class RunSteps
{
    /// <summary>
    /// Plans a run of <paramref name="pair"/> as a dry run does (the very steps of a run, over an overlay of the
    /// ledger that is thrown away) and returns its report with <see cref="RunSummary.Plan"/>; nothing changes anywhere.
    /// A run started with that plan's fingerprint as <see cref="SyncOptions.ExpectedPlan"/> executes exactly that plan.
    /// </summary>
    public Task<RunSummary> PreviewAsync(PairRecord pair, SyncOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var driver = new InProcessDriver(Ledger, Source, Destination, Env);
        return driver.SyncAsync(pair, options with { DryRun = true, ExpectedPlan = null, Parallel = Resources.Parallel }, cancellationToken);
    }
}

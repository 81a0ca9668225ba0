using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Orchestration.Service;

/// <summary>A run started (or the pair marked to run again) by <see cref="RunService.StartAsync(string, string, bool, CancellationToken)"/>.</summary>
/// <param name="Id">The run, also its orchestration instance id.</param>
/// <param name="Pair">The pair's name.</param>
/// <param name="Kind">started, resumed or marked-dirty.</param>
/// <param name="Message">Which given options a resumed run kept, or who runs the pair.</param>
public sealed record RunStarted(string Id, string Pair, string Kind, string? Message);

/// <summary>A run's progress as the status API shows it (Durable's <c>customStatus</c>).</summary>
/// <param name="Status">The ledger's status: Running, Succeeded, CompletedWithFailures, Cancelled, Failed.</param>
/// <param name="Phase">observe, execute, finalize or ended.</param>
/// <param name="Files">Actions ended.</param>
/// <param name="TotalFiles">Actions planned so far.</param>
/// <param name="Bytes">Bytes done.</param>
/// <param name="TotalBytes">Bytes planned so far.</param>
/// <param name="Failed">Actions failed.</param>
/// <param name="BytesPerSecond">Bytes done per second since the run started.</param>
/// <param name="EtaSeconds">Seconds left at that rate; null when unknown.</param>
/// <param name="Activities">Activities its orchestration scheduled so far; null for a run without one (a CLI run).</param>
public sealed record RunProgressView(string Status, string Phase, long Files, long TotalFiles, long Bytes, long TotalBytes, long Failed, double BytesPerSecond, double? EtaSeconds, long? Activities = null);

/// <summary>A run's status in the shape of Durable's HTTP status query.</summary>
/// <param name="Id">The run (instance id).</param>
/// <param name="PairId">Its pair.</param>
/// <param name="Trigger">What started it.</param>
/// <param name="RuntimeStatus">Pending, Running, Completed, Failed or Terminated.</param>
/// <param name="CreatedTime">When it started.</param>
/// <param name="LastUpdatedTime">When it last changed.</param>
/// <param name="CustomStatus">Its progress.</param>
/// <param name="Output">Its final result once ended by its orchestration.</param>
public sealed record RunStatusResponse(string Id, string PairId, string Trigger, string RuntimeStatus, DateTimeOffset? CreatedTime, DateTimeOffset? LastUpdatedTime, RunProgressView CustomStatus, FinalizeResult? Output)
{
    /// <summary>Why the run stopped or was handed back (the ledger's last error of the run), when it says.</summary>
    public string? Error { get; init; }
}

/// <summary>
/// Runs of named pairs as durable orchestrations: start (one active run per pair, by the pair row's CAS; a trigger
/// that meets an active run marks the pair to run once more), status (Durable's runtime status plus the ledger's
/// progress), terminate (the run's cancel flag, the instance terminated, the run ended as Cancelled), list.
/// </summary>
public sealed class RunService(ILedger ledger, PairService pairs, IRunStepsProvider steps, DurableTaskClient client, TimeProvider time) : IRunStarter
{
    private readonly DurableRunLauncher _launcher = new(client);

    /// <summary>Orchestration limits of the runs this service starts.</summary>
    public RunOrchestrationLimits Limits { get; init; } = RunOrchestrationLimits.Default;

    /// <summary>
    /// Starts a run of the pair named <paramref name="name"/>, or resumes its unfinished one whose coordinator is gone.
    /// While a run is active: Conflict with that run's id, or, with <paramref name="markDirtyWhenBusy"/> (webhooks,
    /// timers), Accepted with the pair marked to run once more when the active run ends.
    /// </summary>
    public async Task<ServiceResult<RunStarted>> StartAsync(string name, string trigger, bool markDirtyWhenBusy, CancellationToken cancellationToken)
    {
        var found = await pairs.FindAsync(name, cancellationToken).ConfigureAwait(false);
        return found.Value is not { } definition
            ? new ServiceResult<RunStarted>(found.Outcome, null, found.Problem)
            : await StartAsync(definition, PairService.OptionsOf(definition, trigger), markDirtyWhenBusy, runId: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a run of <paramref name="definition"/> with <paramref name="options"/> (a new run gets
    /// <paramref name="runId"/> when given) and launches its orchestration; see the overload by name.
    /// </summary>
    public async Task<ServiceResult<RunStarted>> StartAsync(PairDefinition definition, SyncOptions options, bool markDirtyWhenBusy, string? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var name = definition.Name;
        var pairSteps = await steps.GetAsync(definition.PairId, cancellationToken).ConfigureAwait(false);
        var coordinator = steps.NewWorkerId();
        var pair = new PairRecord(definition.PairId, definition.Source, definition.Destination, CreatedAt: time.GetUtcNow());
        var start = await pairSteps.StartRunAsync(new StartRunRequest(pair, options, coordinator, markDirtyWhenBusy, runId), cancellationToken).ConfigureAwait(false);
        switch (start.Kind)
        {
            case StartKind.Busy:
                return ServiceResult<RunStarted>.Conflict($"pair '{name}' has an active run {start.RunId}", new RunStarted(start.RunId!, name, "busy", start.Message));
            case StartKind.MarkedDirty:
                return new ServiceResult<RunStarted>(ServiceOutcome.Accepted, new RunStarted(start.RunId!, name, "marked-dirty", start.Message));
        }

        await _launcher.LaunchAsync(new RunOrchestrationInput(definition.PairId, start.RunId!, coordinator, Limits: Limits), start.Kind == StartKind.Resumed, cancellationToken).ConfigureAwait(false);
        return new ServiceResult<RunStarted>(ServiceOutcome.Accepted, new RunStarted(start.RunId!, name, start.Kind == StartKind.Resumed ? "resumed" : "started", start.Message));
    }

    /// <summary>The status of run <paramref name="runId"/> (of any host: a <c>syncfn sync</c> run has no instance and shows the ledger's).</summary>
    public async Task<ServiceResult<RunStatusResponse>> GetStatusAsync(string runId, CancellationToken cancellationToken)
    {
        if (RunIdProblem(runId) is { } problem)
        {
            return ServiceResult<RunStatusResponse>.Invalid(problem);
        }

        var run = await ledger.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return ServiceResult<RunStatusResponse>.NotFound($"no run {runId}");
        }

        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        return ServiceResult<RunStatusResponse>.Ok(Status(run, instance));
    }

    /// <summary>Cancels a running run: its cancel flag, its orchestration terminated, the run ended as Cancelled (cursor unmoved).</summary>
    public async Task<ServiceResult<RunStatusResponse>> TerminateAsync(string runId, CancellationToken cancellationToken)
    {
        if (RunIdProblem(runId) is { } problem)
        {
            return ServiceResult<RunStatusResponse>.Invalid(problem);
        }

        var run = await ledger.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return ServiceResult<RunStatusResponse>.NotFound($"no run {runId}");
        }

        if (run.Status != RunStatus.Running)
        {
            return ServiceResult<RunStatusResponse>.Conflict($"run {runId} has already ended ({run.Status})", Status(run, null));
        }

        while (!run.CancelRequested)
        {
            var updated = await ledger.TryUpdateRunAsync(run with { CancelRequested = true }, cancellationToken).ConfigureAwait(false);
            run = updated ?? await ledger.GetRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false) ?? run;
        }

        var instance = await client.GetInstanceAsync(runId, cancellationToken).ConfigureAwait(false);
        if (instance is { IsRunning: true } or { RuntimeStatus: OrchestrationRuntimeStatus.Pending })
        {
            await client.TerminateInstanceAsync(runId, "cancelled through the service", cancellationToken).ConfigureAwait(false);
        }

        var pairSteps = await steps.GetAsync(run.PairId, cancellationToken).ConfigureAwait(false);
        await pairSteps.CancelRunAsync(new RunRef(run.PairId, run.RunId, run.CoordinatorId ?? ""), cancellationToken).ConfigureAwait(false);
        var ended = await ledger.GetRunAsync(run.PairId, run.RunId, cancellationToken).ConfigureAwait(false) ?? run;
        return new ServiceResult<RunStatusResponse>(ServiceOutcome.Accepted, Status(ended, null) with { RuntimeStatus = "Terminated" });
    }

    /// <summary>Runs of the pair named <paramref name="pairName"/> (every pair's when null), newest first, at most <paramref name="limit"/>.</summary>
    public async Task<ServiceResult<IReadOnlyList<RunStatusResponse>>> ListAsync(string? pairName, int limit, CancellationToken cancellationToken)
    {
        string? pairId = null;
        if (pairName is not null)
        {
            var found = await pairs.FindAsync(pairName, cancellationToken).ConfigureAwait(false);
            if (found.Value is not { } definition)
            {
                return new ServiceResult<IReadOnlyList<RunStatusResponse>>(found.Outcome, null, found.Problem);
            }

            pairId = definition.PairId;
        }

        var runs = await new RunAdmin(ledger, time).ListAsync(pairId, limit, cancellationToken).ConfigureAwait(false);
        return ServiceResult<IReadOnlyList<RunStatusResponse>>.Ok([.. runs.Select(r => Status(r, null))]);
    }

    private RunStatusResponse Status(RunRecord run, OrchestrationMetadata? instance)
    {
        var live = instance?.SerializedCustomStatus is { Length: > 0 } ? instance.ReadCustomStatusAs<RunStatusView>() : null;
        var output = instance is { RuntimeStatus: OrchestrationRuntimeStatus.Completed, SerializedOutput.Length: > 0 } ? instance.ReadOutputAs<FinalizeResult>() : null;
        var ended = run.Status != RunStatus.Running;
        var files = ended || live is null ? run.SucceededActions + run.FailedActions + run.SkippedActions : live.Files;
        var totalFiles = ended || live is null ? run.TotalActions : live.TotalFiles;
        var bytes = ended || live is null ? run.BytesDone : live.Bytes;
        var totalBytes = ended || live is null ? run.TotalBytes : live.TotalBytes;
        var failed = ended || live is null ? run.FailedActions : live.Failed;
        var elapsed = ((run.EndedAt ?? time.GetUtcNow()) - run.CreatedAt).TotalSeconds;
        var rate = elapsed > 0 ? bytes / elapsed : 0;
        double? eta = ended ? 0 : rate > 0 && totalBytes >= bytes ? (totalBytes - bytes) / rate : null;
        var progress = new RunProgressView(run.Status.ToString(), ended ? "ended" : live?.Phase ?? "observe", files, totalFiles, bytes, totalBytes, failed, Math.Round(rate, 1), eta is { } e ? Math.Round(e, 1) : null, live?.Activities);
        return new RunStatusResponse(
            run.RunId, run.PairId, run.Trigger, RuntimeStatus(run, instance), run.CreatedAt,
            instance?.LastUpdatedAt ?? run.EndedAt ?? Later(run.Heartbeat, run.CreatedAt), progress, output)
        {
            Error = run.Error,
        };
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Durable's runtime status of the run's instance; for a run without one (a CLI run), the ledger's in the same words.</summary>
    private static string RuntimeStatus(RunRecord run, OrchestrationMetadata? instance) => instance?.RuntimeStatus switch
    {
        OrchestrationRuntimeStatus.Pending => "Pending",
        OrchestrationRuntimeStatus.Completed => "Completed",
        OrchestrationRuntimeStatus.Failed => "Failed",
        OrchestrationRuntimeStatus.Terminated => "Terminated",
        null => run.Status switch
        {
            RunStatus.Running => "Running",
            RunStatus.Cancelled => "Terminated",
            RunStatus.Failed => "Failed",
            _ => "Completed",
        },
        _ => "Running",
    };

    private static string? RunIdProblem(string runId) =>
        string.IsNullOrEmpty(runId) || runId.Length > 128 || !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? "a run id holds 1 to 128 ASCII letters, digits, '-', '_', '.' or ':'"
            : null;
}

using System.Text.Json;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Observe;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.InProcess;

/// <summary>
/// Runs one sync pair: start a run (or resume its unfinished one, taking over a dead owner's run), observe and
/// plan the source against the baseline into ledger work items, execute them with many workers, and finalize.
/// </summary>
/// <remarks>
/// Any number of engines, in any number of processes, can work on one run: every step is a CAS on the ledger.
/// The token given to <see cref="SyncAsync"/> interrupts this process: state is saved, claims are released,
/// and the run stays resumable. Cancelling the run itself is <c>runs cancel</c>, which sets a flag on the run row.
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
    public async Task<RunSummary> SyncAsync(PairRecord pair, SyncOptions options, CancellationToken cancellationToken)
    {
        var started = _env.Time.GetTimestamp();
        if (options.DryRun)
        {
            return await DryRunAsync(pair, options, started, cancellationToken).ConfigureAwait(false);
        }

        var (run, resumed, busy, stored) = await AcquireRunAsync(pair, options, cancellationToken).ConfigureAwait(false);
        if (busy is not null)
        {
            return new RunSummary
            {
                PairId = pair.PairId,
                RunId = busy.RunId,
                Outcome = RunOutcome.PairBusy,
                Message = $"pair busy: run {busy.RunId} is owned by {busy.OwnerHost}:{busy.OwnerPid} (heartbeat {busy.Heartbeat:O})",
                Duration = _env.Time.GetElapsedTime(started),
            };
        }

        using var ctx = new RunContext(_ledger, _source, _destination, _env, options, run!, isOwner: true, cancellationToken)
        {
            Pair = stored,
            FirstRun = stored?.Cursor is null,
        };
        return await WorkAsync(ctx, resumed, started).ConfigureAwait(false);
    }

    /// <summary>Joins an existing run as an extra worker and works until no claimable work is left.</summary>
    public async Task<RunSummary> JoinAsync(string runId, SyncOptions options, CancellationToken cancellationToken)
    {
        var started = _env.Time.GetTimestamp();
        await _ledger.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var run = await _ledger.FindRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"no run with id '{runId}'");
        if (run.Status != RunStatus.Running)
        {
            return Summary(run, null, options, [], [], started, resumed: false) with { Message = $"run {runId} has already ended ({run.Status})" };
        }

        // A joining worker uses the run's own chunk size so chunk ids agree across processes.
        var runOptions = RunOptions.FromJson(run.OptionsJson, options) with { Parallel = options.Parallel };
        using var ctx = new RunContext(_ledger, _source, _destination, _env, runOptions, run, isOwner: false, cancellationToken);
        Logs.RunJoined(ctx.Log, runId, ctx.WorkerId);
        return await WorkAsync(ctx, resumed: true, started).ConfigureAwait(false);
    }

    private async Task<RunSummary> WorkAsync(RunContext ctx, bool resumed, long started)
    {
        var scheduler = new WorkScheduler(ctx);
        var stop = ctx.Stop.Token;
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatLoopAsync(ctx, scheduler, heartbeatStop.Token);
        Exception? fatal = null;
        try
        {
            if (resumed)
            {
                await scheduler.ScanAsync(stop).ConfigureAwait(false);
            }

            var observation = ctx.IsOwner && !ctx.Run.ObserveDone
                ? Task.Run(() => ctx.Source is IChangeSource feed ? new ChangeObserver(ctx, feed).RunAsync(stop) : new Observer(ctx).RunAsync(stop), CancellationToken.None)
                : Task.CompletedTask;
            Func<bool> observeDone = ctx.IsOwner ? () => observation.IsCompleted : () => ctx.Run.ObserveDone;
            var work = scheduler.RunAsync(observeDone, stop);
            try
            {
                await observation.ConfigureAwait(false);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // Observation failed (missing source, out-of-order listing, ...): stop the workers, keep the run resumable.
                await ctx.Stop.CancelAsync().ConfigureAwait(false);
                await SwallowAsync(work).ConfigureAwait(false);
                throw;
            }

            await work.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            fatal = ex;
        }
        finally
        {
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await SwallowAsync(heartbeat).ConfigureAwait(false);
        }

        return await EndAsync(ctx, fatal, resumed, started).ConfigureAwait(false);
    }

    private async Task<RunSummary> EndAsync(RunContext ctx, Exception? fatal, bool resumed, long started)
    {
        // Ledger writes after an interrupt must still happen: they save the state.
        using var grace = new CancellationTokenSource(TimeSpan.FromMinutes(2), _env.Time);
        var token = grace.Token;
        if (ctx.CancelRequested)
        {
            var cancelled = await new Finalizer(ctx).CancelAsync(token).ConfigureAwait(false);
            return Summary(cancelled, RunOutcome.Cancelled, ctx, [], [], started, resumed);
        }

        if (fatal is not null || ctx.Interrupt.IsCancellationRequested || ctx.OwnershipLost)
        {
            if (ctx.IsOwner && !ctx.OwnershipLost)
            {
                // Hand the run over at once: the next sync of the pair takes it over without waiting for the heartbeat.
                await ctx.UpdateRunAsync(r => r with { OwnerPid = 0, Heartbeat = DateTimeOffset.UnixEpoch, Error = fatal?.Message }, token).ConfigureAwait(false);
            }

            if (fatal is not null)
            {
                return Summary(ctx.Run, RunOutcome.Failed, ctx, [], [], started, resumed) with { Message = fatal.Message };
            }

            Logs.Interrupted(ctx.Log, ctx.RunId);
            return Summary(ctx.Run, RunOutcome.Interrupted, ctx, [], [], started, resumed);
        }

        // The owner's copy of the run row is current (every change went through its CAS); a joiner re-reads it.
        var run = ctx.IsOwner ? ctx.Run : await ctx.RefreshRunAsync(token).ConfigureAwait(false);
        if (!ctx.IsOwner)
        {
            // A joiner's share is done; the owner finalizes the run (or already has).
            var outcome = run.Status == RunStatus.Running ? RunOutcome.Succeeded : OutcomeOf(run);
            return Summary(run, outcome, ctx, [], [], started, resumed) with
            {
                Message = run.Status == RunStatus.Running ? $"no claimable work left in run {run.RunId}; its owner finishes it" : null,
            };
        }

        // Finalizing is work like any other (a 100,000-item run deletes its staged items): no grace period to run
        // out of; an interrupt stops it and the next sync of the pair finalizes the run again.
        var (final, failures, skipped) = await new Finalizer(ctx).FinalizeAsync(ctx.Interrupt).ConfigureAwait(false);
        return Summary(final, null, ctx, failures, skipped, started, resumed);
    }

    private RunSummary Summary(RunRecord run, RunOutcome? outcome, RunContext ctx, List<PathProblem> failures, List<PathProblem> skipped, long started, bool resumed) =>
        Summary(run, outcome, ctx.Options, failures, skipped, started, resumed) with
        {
            TransferredByThisProcess = ctx.Transferred,
            BytesTransferred = ctx.BytesTransferred,
            ReusedChunks = ctx.ReusedChunks,
            ResumedBytes = ctx.ResumedBytes,
        };

    private RunSummary Summary(RunRecord run, RunOutcome? outcome, SyncOptions options, List<PathProblem> failures, List<PathProblem> skipped, long started, bool resumed) => new()
    {
        PairId = run.PairId,
        RunId = run.RunId,
        Outcome = outcome ?? OutcomeOf(run),
        Resumed = resumed,
        DryRun = options.DryRun,
        Total = run.TotalActions,
        Succeeded = run.SucceededActions,
        Failed = run.FailedActions,
        Skipped = run.SkippedActions,
        BytesTotal = run.TotalBytes,
        HeldBackDeletes = run.HeldBackDeletes,
        Failures = failures,
        SkippedItems = skipped,
        Duration = _env.Time.GetElapsedTime(started),
        Message = run.DeletesHeldBack
            ? $"{run.HeldBackDeletes} deletes held back: more than --max-delete allows; they stay in the pair's carry-over set"
            : null,
    };

    private static RunOutcome OutcomeOf(RunRecord run) => run.Status switch
    {
        RunStatus.Cancelled => RunOutcome.Cancelled,
        RunStatus.Failed => RunOutcome.Failed,
        RunStatus.Running => RunOutcome.Interrupted,
        _ when run.FailedActions > 0 => RunOutcome.CompletedWithFailures,
        _ when run.DeletesHeldBack => RunOutcome.DeletesHeldBack,
        _ => RunOutcome.Succeeded,
    };

    private static async Task SwallowAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already reported through the primary failure.
        }
    }

    private static string NewRunId(TimeProvider time) =>
        time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
}

/// <summary>The options a run was started with, stored on the run row so joiners and resumers agree.</summary>
internal static class RunOptions
{
    private sealed record Stored(long ChunkSize, bool Force, string? MaxDelete, int Parallel);

    public static string ToJson(SyncOptions o) =>
        JsonSerializer.Serialize(new Stored(o.ChunkSize, o.Force, o.MaxDelete?.ToString(), o.Parallel));

    /// <summary>The stored chunk size wins (chunk ids depend on it); other options come from <paramref name="current"/>.</summary>
    public static SyncOptions FromJson(string json, SyncOptions current)
    {
        try
        {
            var s = JsonSerializer.Deserialize<Stored>(json);
            return s is null || s.ChunkSize <= 0 ? current : current with { ChunkSize = s.ChunkSize };
        }
        catch (JsonException)
        {
            return current;
        }
    }
}

using Microsoft.Extensions.Logging;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Retry;

namespace SyncFunctions.Core.InProcess;

/// <summary>
/// Drives a run to its end in one process (<c>syncfn sync</c>, <c>runs join</c>): the run steps, called through an
/// in-process <see cref="IWorkDispatcher"/>. The coordinator starts (or takes over) the run, renews its lease,
/// observes while workers execute what observation wrote, fans in, and finalizes.
/// </summary>
/// <remarks>
/// The token given to <see cref="SyncAsync"/> interrupts this process: its claims are released with their
/// checkpoints and the run is handed back, so the next start resumes it at once. Cancelling the run itself is
/// <c>runs cancel</c> (a flag on the run row the coordinator sees when it renews its lease).
/// </remarks>
public sealed partial class InProcessDriver
{
    /// <summary>How long an idle coordinator waits before it looks at the ledger again (other workers hold the rest).</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(2);

    private const int MaxListedProblems = 1000;
    private readonly ILedger _ledger;
    private readonly IObjectStore _source;
    private readonly IObjectStore _destination;
    private readonly EngineEnvironment _env;
    private readonly ILogger _log;

    public InProcessDriver(ILedger ledger, IObjectStore source, IObjectStore destination, EngineEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        _ledger = ledger;
        _source = source;
        _destination = destination;
        _env = env;
        _log = env.Logs.CreateLogger("SyncFunctions.Engine");
    }

    /// <summary>A driver over the stores and the ledger, each wrapped once in the one retry policy of the host.</summary>
    public static InProcessDriver WithRetries(ILedger ledger, IObjectStore source, IObjectStore destination, EngineEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var policy = RetryDecorators.PolicyFor(env.Time, env.Steps, env.Logs.CreateLogger("SyncFunctions.Retry"));
        return new InProcessDriver(RetryDecorators.Ledger(ledger, policy), RetryDecorators.Store(source, policy), RetryDecorators.Store(destination, policy), env);
    }

    /// <summary>Starts a run of <paramref name="pair"/> (or resumes its unfinished one) and works until it ends.</summary>
    public async Task<RunSummary> SyncAsync(PairRecord pair, SyncOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(options);
        var started = _env.Time.GetTimestamp();
        var ledger = options.DryRun ? new DryRunLedger(_ledger) : _ledger;
        var progress = new ProgressTally(_env.Progress);
        using var steps = new RunSteps(ledger, _source, _destination, _env, options.Parallel, progress);
        var coordinator = LeaseOwners.New(_env.Owner);
        var start = await steps.StartRunAsync(new StartRunRequest(pair, options, coordinator), cancellationToken).ConfigureAwait(false);
        if (start.Kind == StartKind.Busy)
        {
            return new RunSummary
            {
                PairId = pair.PairId,
                RunId = start.RunId,
                Outcome = RunOutcome.PairBusy,
                Message = start.Message,
                Duration = _env.Time.GetElapsedTime(started),
            };
        }

        if (start.Message is { } notice)
        {
            Logs.OptionsKept(_log, start.RunId!, notice);
        }

        var session = new DriveSession(this, steps, new RunRef(pair.PairId, start.RunId!, coordinator), options, progress, started)
        {
            Resumed = start.Kind == StartKind.Resumed,
            Notice = start.Message,
            DryRunLedger = ledger as DryRunLedger,
        };
        return await session.RunAsync(isCoordinator: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Joins an existing run as an extra worker process and works until no claimable work is left.</summary>
    public async Task<RunSummary> JoinAsync(string runId, SyncOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = _env.Time.GetTimestamp();
        var run = await _ledger.FindRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"no run with id '{runId}'");
        var progress = new ProgressTally(_env.Progress);
        using var steps = new RunSteps(_ledger, _source, _destination, _env, options.Parallel, progress);
        var session = new DriveSession(this, steps, new RunRef(run.PairId, runId, ""), options, progress, started) { Resumed = true };
        if (run.Status != RunStatus.Running)
        {
            return session.Summary(run, null) with { Message = $"run {runId} has already ended ({run.Status})" };
        }

        Logs.RunJoined(_log, runId, LeaseOwners.ProcessPrefix(_env.Owner.Host, _env.Owner.Pid));
        return await session.RunAsync(isCoordinator: false, cancellationToken).ConfigureAwait(false);
    }

    internal EngineEnvironment Env => _env;

    internal ILogger Log => _log;

    internal ILedger Ledger => _ledger;

    internal int MaxProblems => MaxListedProblems;
}

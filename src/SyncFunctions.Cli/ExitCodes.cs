using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli;

/// <summary>The process exit codes of <c>syncfn</c>; documented in the README and in <c>--help</c>.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int ItemsFailed = 1;
    public const int Usage = 2;
    public const int Fatal = 3;
    public const int PairBusy = 4;
    public const int DeletesHeldBack = 5;
    public const int Interrupted = 130;
    public const int Terminated = 143;

    /// <summary>The help text block listing every code.</summary>
    public const string HelpText =
        "Exit codes: 0 all good, 1 some items failed (or the run was cancelled), 2 usage error, 3 fatal error, " +
        "4 pair busy, 5 deletes held back by --max-delete, 130 interrupted (SIGINT), 143 terminated (SIGTERM).";

    /// <summary>
    /// The one place that maps how a run ended to an exit code. An interrupt maps to the code of the
    /// signal that caused it (SIGTERM: 143, anything else: 130).
    /// </summary>
    public static int FromOutcome(RunOutcome outcome, StopSignal signal = StopSignal.None) => outcome switch
    {
        RunOutcome.Succeeded => Ok,
        RunOutcome.CompletedWithFailures => ItemsFailed,
        RunOutcome.Cancelled => ItemsFailed,
        RunOutcome.DeletesHeldBack => DeletesHeldBack,
        RunOutcome.PairBusy => PairBusy,
        RunOutcome.Interrupted => ForSignal(signal),
        RunOutcome.Failed => Fatal,
        _ => Fatal,
    };

    /// <summary>The exit code for a stop caused by <paramref name="signal"/>.</summary>
    public static int ForSignal(StopSignal signal) => signal == StopSignal.Terminate ? Terminated : Interrupted;
}

/// <summary>Which signal asked the process to stop.</summary>
internal enum StopSignal
{
    None,
    Interrupt,
    Terminate,
}

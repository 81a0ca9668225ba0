using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration.Service;

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

    /// <summary>Something named does not exist (a pair, a run): the code of other fatal errors, as <c>runs show</c> has always used.</summary>
    public const int NotFound = Fatal;

    /// <summary>Something is in the way (a pair name taken, a pair with an active run): the code of a busy pair.</summary>
    public const int Conflict = PairBusy;

    /// <summary>The help text block listing every code.</summary>
    public const string HelpText =
        "Exit codes: 0 all good, 1 some items failed (or the run was cancelled), 2 usage error, 3 fatal error, " +
        "4 pair busy (or, for pairs, the name is taken), 5 deletes held back by --max-delete, 130 interrupted (SIGINT), 143 terminated (SIGTERM). " +
        "An unknown pair or run is a fatal error (3). sync --all exits with the worst of its pairs' codes.";

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

    /// <summary>The exit code of a service operation that did not succeed: bad input 2, not found 3, conflict 4, unavailable 3.</summary>
    public static int FromService(ServiceOutcome outcome) => outcome switch
    {
        ServiceOutcome.Invalid => Usage,
        ServiceOutcome.NotFound => NotFound,
        ServiceOutcome.Conflict => Conflict,
        ServiceOutcome.Unavailable => Fatal,
        _ => Ok,
    };

    /// <summary>
    /// The worst of several pairs' exit codes (<c>sync --all</c>), from best to worst: 0, 5 deletes held back, 4 pair busy,
    /// 1 items failed, 2 usage, 3 fatal, 130 interrupted, 143 terminated; an unknown code counts as fatal. None: 0.
    /// </summary>
    public static int Worst(IEnumerable<int> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var worst = Ok;
        foreach (var code in codes)
        {
            if (Severity(code) > Severity(worst))
            {
                worst = code;
            }
        }

        return worst;
    }

    private static int Severity(int code) => code switch
    {
        Ok => 0,
        DeletesHeldBack => 1,
        PairBusy => 2,
        ItemsFailed => 3,
        Usage => 4,
        Fatal => 5,
        Interrupted => 6,
        Terminated => 7,
        _ => 5,
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

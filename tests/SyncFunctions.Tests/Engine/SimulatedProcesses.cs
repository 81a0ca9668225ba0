using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Tests.Engine;

/// <summary>Cross-host liveness is unknown: correctness must rest on the leases alone.</summary>
internal sealed class UnknownLiveness : IOwnerLiveness
{
    public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
}

/// <summary>The death of a simulated host (worker process) at one of its calls: no release, no cleanup.</summary>
internal sealed class HostDied : Exception
{
    public HostDied()
        : base("simulated host death")
    {
    }
}

/// <summary>
/// A run driven one item per worker process: a coordinator (process 1) plans and fans in; every claimable item runs in
/// a new process (2, 3, ...) that runs nothing else, so it says so (<see cref="WorkRef.Alone"/>); a process that dies
/// (<see cref="HostDied"/>) leaves its lease to run out on the fake clock.
/// </summary>
internal static class OneItemPerProcess
{
    /// <summary>Plans a run of <paramref name="pair"/> and drives it to its end.</summary>
    /// <param name="pair">The pair.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="steps">The steps of a process, by its number.</param>
    /// <param name="process">Set to the number of the process whose calls run (for the fakes' death hooks).</param>
    /// <param name="time">The fake clock that lets dead workers' leases run out.</param>
    /// <param name="maxDeaths">Stop driving after this many deaths (the run is finalized as it is).</param>
    public static async Task<(FinalizeResult Final, IReadOnlyList<PathProblem> Failures, int Deaths)> DriveAsync(
        PairRecord pair, SyncOptions options, Func<int, RunSteps> steps, AsyncLocal<int> process, FakeTimeProvider time, int maxDeaths = int.MaxValue)
    {
        process.Value = 1;
        var run = await PlanAsync(steps(1), pair, options);
        return await DriveAsync(run, steps, process, time, maxDeaths);
    }

    /// <summary>Starts a run of <paramref name="pair"/> with coordinator id "coordinator" and observes it to the end.</summary>
    public static async Task<RunRef> PlanAsync(RunSteps coordinator, PairRecord pair, SyncOptions options)
    {
        var start = await coordinator.StartRunAsync(new StartRunRequest(pair, options, "coordinator"), default);
        var run = new RunRef(pair.PairId, start.RunId!, "coordinator");
        while ((await coordinator.ObserveAsync(run, long.MaxValue, null, default)).More)
        {
        }

        return run;
    }

    /// <summary>Drives a planned run (coordinated by process 1) to its end.</summary>
    public static async Task<(FinalizeResult Final, IReadOnlyList<PathProblem> Failures, int Deaths)> DriveAsync(
        RunRef run, Func<int, RunSteps> steps, AsyncLocal<int> process, FakeTimeProvider time, int maxDeaths = int.MaxValue, int firstPid = 2)
    {
        process.Value = 1;
        var coordinator = steps(1);
        var deaths = 0;
        for (var pid = firstPid; pid < firstPid + 500 && deaths < maxDeaths; pid++)
        {
            await coordinator.RenewCoordinatorLeaseAsync(run, default);
            var check = await coordinator.CheckCompletionAsync(run, default);
            if (check.Complete)
            {
                break;
            }

            if (check.Claimable.Count == 0)
            {
                time.Advance(TimeSpan.FromSeconds(70)); // the dead worker's lease runs out
                continue;
            }

            var worker = pid;
            var ticket = check.Claimable.FirstOrDefault(t => t.Isolate) ?? check.Claimable[0];
            var died = await Task.Run(async () =>
            {
                process.Value = worker;
                try
                {
                    await steps(worker).ExecuteWorkItemAsync(new WorkRef(run.PairId, run.RunId, ticket.ItemId, $"h:{worker}:w", Alone: true), default);
                    return false;
                }
                catch (HostDied)
                {
                    return true;
                }
            });
            deaths += died ? 1 : 0;
        }

        process.Value = 1;
        var final = await coordinator.FinalizeAsync(run, default);
        var (failures, _) = await coordinator.ListProblemsAsync(run.RunId, 100, default);
        return (final, failures, deaths);
    }
}

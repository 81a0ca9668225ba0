using SyncFunctions.App.Functions;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration;

namespace SyncFunctions.App.Tests.Infrastructure;

/// <summary>Drives a run through the activity function wrappers in the orchestrator's order (<see cref="RunOrchestrator"/>).</summary>
internal static class RunDriver
{
    public static async Task<FinalizeResult> DriveAsync(RunFunctions durable, RunOrchestrationInput input)
    {
        var run = input.Run;
        Assert.True((await durable.RenewLeaseAsync(run, run.RunId)).Held);
        while ((await durable.ObserveAsync(new ObserveOrder(run, 2), run.RunId)).More)
        {
        }

        for (var rounds = 0; rounds < 20; rounds++)
        {
            var check = await durable.CheckCompletionAsync(run, run.RunId);
            if (check.Complete)
            {
                return await durable.FinalizeAsync(run, run.RunId);
            }

            foreach (var ticket in check.Claimable)
            {
                var done = await durable.ExecuteWorkItemAsync(new WorkOrder(run.PairId, run.RunId, ticket.ItemId), run.RunId);
                if (done.CommitReady is { } parent)
                {
                    await durable.ExecuteWorkItemAsync(new WorkOrder(run.PairId, run.RunId, parent), run.RunId);
                }
            }
        }

        throw new InvalidOperationException("the run did not complete in 20 rounds");
    }
}

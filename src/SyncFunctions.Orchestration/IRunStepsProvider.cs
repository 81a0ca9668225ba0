using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Orchestration;

/// <summary>
/// The run steps of a pair in this process (its stores built from the pair's endpoints, one instance per pair, kept
/// for the process's life). Composition roots implement it: the Functions app, <c>syncfn serve</c>, tests.
/// </summary>
public interface IRunStepsProvider
{
    /// <summary>The steps of <paramref name="pairId"/>; throws <see cref="InvalidOperationException"/> for an unknown pair.</summary>
    ValueTask<RunSteps> GetAsync(string pairId, CancellationToken cancellationToken);

    /// <summary>Lease owner ids of this process (a new one per call: a worker id, not a process id).</summary>
    string NewWorkerId();
}

using System.Threading.Channels;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.InProcess;

/// <summary>A dispatched work item and how its step ended.</summary>
/// <param name="Ticket">The item.</param>
/// <param name="Result">The step's result.</param>
/// <param name="Error">An exception that escaped the step (the result is then Errored).</param>
public sealed record WorkCompletion(WorkItemTicket Ticket, WorkItemResult Result, Exception? Error = null);

/// <summary>
/// Where a driver sends work items to be executed by workers: the seam between a run's coordination (observe, fan
/// in, finalize) and the workers that call the work steps. In <c>syncfn sync</c> bounded channels and worker tasks
/// in the process; in the Functions app, activities of a Durable orchestration.
/// </summary>
public interface IWorkDispatcher : IAsyncDisposable
{
    /// <summary>Hands <paramref name="ticket"/> to a worker; waits while the bounded queue is full (back-pressure).</summary>
    ValueTask DispatchAsync(WorkItemTicket ticket, CancellationToken cancellationToken);

    /// <summary>How dispatched items ended, as they end.</summary>
    ChannelReader<WorkCompletion> Completions { get; }

    /// <summary>Items dispatched and not yet reported in <see cref="Completions"/>.</summary>
    int InFlight { get; }
}

using SyncFunctions.Abstractions;
using SyncFunctions.Core.Transfer;

namespace SyncFunctions.Core.Protocol;

/// <summary>
/// What one process shares across every step it runs, whatever the run: bounds on memory and concurrency, and the
/// guard that keeps its folder pruning off its own writes. Not run state: a step that runs elsewhere needs none of it.
/// </summary>
internal sealed class ProcessResources : IDisposable
{
    public ProcessResources(IObjectStore destination, int parallel, Microsoft.Extensions.Logging.ILogger log)
    {
        ChunkBuffers = new SemaphoreSlim(Math.Clamp(parallel, 2, 16));
        ContentCutters = new SemaphoreSlim(Math.Clamp(Environment.ProcessorCount, 2, 4));
        TransferSlots = new SemaphoreSlim(Math.Max(1, parallel));
        Parallel = Math.Max(1, parallel);
        Folders = new FolderPruning(destination, log);
    }

    /// <summary>Actions in flight across every item this process works on.</summary>
    public int Parallel { get; }

    /// <summary>Chunk buffers in flight across every large transfer of this process (memory).</summary>
    public SemaphoreSlim ChunkBuffers { get; }

    /// <summary>
    /// Content-defined cuts of large files in progress (block-level delta): each holds the chunker's buffer, twice the
    /// largest block (16 MiB by default), and is CPU-bound, so a few at once, however many transfers run.
    /// </summary>
    public SemaphoreSlim ContentCutters { get; }

    /// <summary>Transfers in flight across every item this process works on.</summary>
    public SemaphoreSlim TransferSlots { get; }

    public FolderPruning Folders { get; }

    /// <summary>The folders of first enumerations this process staged whole (planning skips a pass over the staged items).</summary>
    public Observe.StagedFolderCache StagedFolders { get; } = new();

    public void Dispose()
    {
        ChunkBuffers.Dispose();
        ContentCutters.Dispose();
        TransferSlots.Dispose();
    }
}

/// <summary>Lease owner ids: unique per worker or coordinator. The host and process id in them are for people and for the same-host fast path; correctness rests on the leases.</summary>
public static class LeaseOwners
{
    /// <summary>A new id for a worker or coordinator of <paramref name="owner"/>'s process.</summary>
    public static string New(OwnerIdentity owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return ProcessPrefix(owner.Host, owner.Pid) + owner.Started.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary>The prefix every lease owner id of one process starts with.</summary>
    public static string ProcessPrefix(string host, int pid) => $"{host}:{pid}:";
}

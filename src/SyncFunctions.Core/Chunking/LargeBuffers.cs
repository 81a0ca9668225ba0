using System.Buffers;

namespace SyncFunctions.Core.Chunking;

/// <summary>
/// The pool of the chunker's read buffers and of content-defined blocks in flight (megabytes each). Not
/// <see cref="ArrayPool{T}.Shared"/>: that one keeps a buffer per thread besides its per-core stacks, so buffers of
/// 16 MiB returned from many thread-pool threads stay alive one per thread; this one keeps at most a few per size.
/// </summary>
internal static class LargeBuffers
{
    /// <summary>Buffers kept per size class: enough for the cutters and blocks in flight of a busy process.</summary>
    private const int PerSize = 8;

    public static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(2 * ChunkerOptions.LargestMax, PerSize);
}

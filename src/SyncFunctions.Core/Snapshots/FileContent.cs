using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>A file's content as a repository stores it: its hash, its length and its chunks in order.</summary>
/// <param name="ContentHash">The SHA-256 of the whole file.</param>
/// <param name="Size">Its length in bytes (the sum of the chunks' lengths).</param>
/// <param name="Chunks">Its chunks, in file order (none for an empty file).</param>
public sealed record FileContent(ObjectId ContentHash, long Size, IReadOnlyList<ChunkRef> Chunks);

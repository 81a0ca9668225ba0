using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

public sealed partial class RepositoryContent
{
    /// <summary>
    /// Reads one chunk: finds its pack in the index, reads the pack's footer (once per pack, cached) and the chunk's
    /// stored bytes by range, and checks them against the chunk id.
    /// </summary>
    /// <param name="chunkId">The chunk.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="RepositoryFormatException">
    /// No index names the chunk or its pack is gone (<see cref="FormatDamage.Missing"/>), or the stored bytes are
    /// damaged (<see cref="FormatDamage.HashMismatch"/>, ...); the message names the chunk and the pack.
    /// </exception>
    public async Task<byte[]> ReadChunkAsync(ObjectId chunkId, CancellationToken cancellationToken)
    {
        if (!TryLocate(chunkId, out var location))
        {
            throw new RepositoryFormatException($"chunk {chunkId}", FormatDamage.Missing, "no index of the repository names it");
        }

        var pack = await _footers.GetAsync(location.PackId, chunkId, cancellationToken).ConfigureAwait(false);
        if (!pack.TryGetEntry(chunkId, out var entry))
        {
            throw new RepositoryFormatException($"chunk {chunkId} in pack {location.PackId}", FormatDamage.Missing, "the index names it but the pack's footer does not");
        }

        var stored = await ReadRangeAsync(Store, location.PackId, chunkId, entry.Offset, entry.StoredLength, cancellationToken).ConfigureAwait(false);
        return pack.DecodeChunk(entry, stored);
    }

    /// <summary><paramref name="length"/> bytes of a pack from <paramref name="offset"/> (fewer when the pack is shorter).</summary>
    internal static async Task<byte[]> ReadRangeAsync(IObjectStore store, ObjectId packId, ObjectId chunkId, long offset, int length, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await store.OpenReadAsync(RepositoryLayout.PackPath(packId), offset, length, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var bytes = new byte[length];
                var read = await stream.ReadAtLeastAsync(bytes, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                return read == length ? bytes : bytes[..read];
            }
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            throw PackMissing(packId, chunkId, e);
        }
    }

    internal static RepositoryFormatException PackMissing(ObjectId packId, ObjectId chunkId, Exception? inner = null) =>
        new($"pack {packId}", FormatDamage.Missing, $"is not in the store (an index says it holds chunk {chunkId})", inner);
}

using SyncFunctions.Abstractions;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// The footers of the packs read lately, so reading many chunks of one pack reads its footer once. Bounded: past
/// <see cref="Capacity"/> packs the oldest is forgotten. Thread-safe; two readers of a pack not cached may both read
/// its footer (harmless).
/// </summary>
internal sealed class PackFooterCache(IObjectStore store)
{
    /// <summary>The number of packs whose footers are kept.</summary>
    public const int Capacity = 256;

    /// <summary>How much of a pack's end is read first: most footers fit, so one read is enough.</summary>
    private const int FirstTailLength = 64 * 1024;

    private readonly object _gate = new();
    private readonly Dictionary<ObjectId, PackReader> _readers = [];
    private readonly Queue<ObjectId> _order = new();

    /// <summary>The footer of a pack (read now unless cached); <paramref name="chunkId"/> only names what was wanted in errors.</summary>
    public async Task<PackReader> GetAsync(ObjectId packId, ObjectId chunkId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_readers.TryGetValue(packId, out var cached))
            {
                return cached;
            }
        }

        var reader = await ReadFooterAsync(packId, chunkId, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_readers.TryAdd(packId, reader))
            {
                _order.Enqueue(packId);
                while (_order.Count > Capacity)
                {
                    _readers.Remove(_order.Dequeue());
                }
            }
        }

        return reader;
    }

    private async Task<PackReader> ReadFooterAsync(ObjectId packId, ObjectId chunkId, CancellationToken cancellationToken)
    {
        var info = await store.GetInfoAsync(RepositoryLayout.PackPath(packId), cancellationToken).ConfigureAwait(false)
            ?? throw RepositoryContent.PackMissing(packId, chunkId);
        var length = info.Size;
        if (length < PackFormat.TrailerLength)
        {
            throw new RepositoryFormatException($"pack {packId}", FormatDamage.Truncated, $"only {length} bytes");
        }

        var tail = await ReadTailAsync(packId, chunkId, length, (int)Math.Min(length, FirstTailLength), cancellationToken).ConfigureAwait(false);
        var needed = PackReader.FooterReadLength(packId, length, tail);
        if (needed > tail.Length)
        {
            tail = await ReadTailAsync(packId, chunkId, length, needed, cancellationToken).ConfigureAwait(false);
        }

        return PackReader.FromTail(packId, length, tail);
    }

    private async Task<byte[]> ReadTailAsync(ObjectId packId, ObjectId chunkId, long packLength, int count, CancellationToken cancellationToken)
    {
        var tail = await RepositoryContent.ReadRangeAsync(store, packId, chunkId, packLength - count, count, cancellationToken).ConfigureAwait(false);
        return tail.Length == count
            ? tail
            : throw new RepositoryFormatException($"pack {packId}", FormatDamage.Truncated, $"its last {count} bytes could not be read (only {tail.Length}; shorter than listed?)");
    }
}

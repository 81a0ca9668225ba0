using System.Runtime.CompilerServices;

namespace SyncFunctions.Core.Snapshots;

/// <summary>How a file differs between two snapshots.</summary>
public enum SnapshotChangeKind
{
    /// <summary>Only in the newer snapshot.</summary>
    Added,

    /// <summary>Only in the older snapshot.</summary>
    Removed,

    /// <summary>In both, with other content.</summary>
    Modified,
}

/// <summary>One file that differs between two snapshots.</summary>
/// <param name="Path">Its path.</param>
/// <param name="Kind">Added, removed or modified.</param>
/// <param name="Before">Its entry in the older snapshot (null when added).</param>
/// <param name="After">Its entry in the newer snapshot (null when removed).</param>
public sealed record SnapshotChange(string Path, SnapshotChangeKind Kind, SnapshotFileEntry? Before, SnapshotFileEntry? After);

/// <summary>The files that differ between two snapshots, by content: a file whose content hash is the same is unchanged, whatever its time.</summary>
public static class SnapshotDiff
{
    /// <summary>
    /// Merges two walks (each in ordinal path order, as <see cref="SnapshotReader.WalkAsync"/> yields them) into the
    /// changes from <paramref name="before"/> to <paramref name="after"/>, in path order. Streams: neither side is held in memory.
    /// </summary>
    public static async IAsyncEnumerable<SnapshotChange> DiffAsync(
        IAsyncEnumerable<SnapshotFileEntry> before, IAsyncEnumerable<SnapshotFileEntry> after, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = before.GetAsyncEnumerator(cancellationToken);
        var now = after.GetAsyncEnumerator(cancellationToken);
        try
        {
            var (hasOld, hasNow) = (await old.MoveNextAsync().ConfigureAwait(false), await now.MoveNextAsync().ConfigureAwait(false));
            while (hasOld || hasNow)
            {
                var order = !hasOld ? 1 : !hasNow ? -1 : string.CompareOrdinal(old.Current.Path, now.Current.Path);
                if (order < 0)
                {
                    yield return new SnapshotChange(old.Current.Path, SnapshotChangeKind.Removed, old.Current, null);
                    hasOld = await old.MoveNextAsync().ConfigureAwait(false);
                }
                else if (order > 0)
                {
                    yield return new SnapshotChange(now.Current.Path, SnapshotChangeKind.Added, null, now.Current);
                    hasNow = await now.MoveNextAsync().ConfigureAwait(false);
                }
                else
                {
                    if (old.Current.Entry.ContentHash != now.Current.Entry.ContentHash)
                    {
                        yield return new SnapshotChange(now.Current.Path, SnapshotChangeKind.Modified, old.Current, now.Current);
                    }

                    (hasOld, hasNow) = (await old.MoveNextAsync().ConfigureAwait(false), await now.MoveNextAsync().ConfigureAwait(false));
                }
            }
        }
        finally
        {
            await old.DisposeAsync().ConfigureAwait(false);
            await now.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// Plans a sync by a streaming three-way merge-join (rclone's "march") of the source listing, the
/// baseline and optionally the destination listing, all in ordinal path order.
/// </summary>
/// <remarks>
/// Holds one item per stream in memory. Stateless and thread-safe. A skipped source entry means
/// "present but unknown": it is reported and its path is never uploaded or deleted. A skipped entry
/// whose path ends with '/' stands for a whole directory (unreadable, or a symbolic link not followed):
/// nothing under it is deleted.
/// </remarks>
public static class Planner
{
    /// <summary>Merges the three streams and yields an item for every path that needs something.</summary>
    /// <param name="source">The source listing, strictly increasing by ordinal path.</param>
    /// <param name="baseline">The pair's baseline, strictly increasing by ordinal path.</param>
    /// <param name="destination">The destination listing, or null to trust the baseline's destination ETags.</param>
    /// <param name="cancellationToken">Stops the merge.</param>
    /// <exception cref="OutOfOrderException">A stream was not strictly increasing (duplicates included).</exception>
    public static async IAsyncEnumerable<PlanItem> PlanAsync(
        IAsyncEnumerable<ListingEntry> source,
        IAsyncEnumerable<BaselineEntry> baseline,
        IAsyncEnumerable<ListingEntry>? destination,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(baseline);
        await using var src = new MergeCursor<ListingEntry>(source, "source", EntryPath, cancellationToken);
        await using var bas = new MergeCursor<BaselineEntry>(baseline, "baseline", b => b.Path, cancellationToken);
        await using var dst = new MergeCursor<ListingEntry>(destination, "destination", EntryPath, cancellationToken);
        var destinationListed = destination is not null;
        await src.MoveAsync();
        await bas.MoveAsync();
        await dst.MoveAsync();

        string? protectedPrefix = null;
        while (src.Has || bas.Has || dst.Has)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Min(Min(src.PathOrNull, bas.PathOrNull), dst.PathOrNull)!;
            ListingEntry? s = src.TryTake(path, out var sourceEntry) ? sourceEntry : null;
            var b = bas.TryTake(path, out var baselineEntry) ? baselineEntry : null;
            ListingEntry? d = dst.TryTake(path, out var destinationEntry) ? destinationEntry : null;

            if (protectedPrefix is not null && !path.StartsWith(protectedPrefix, StringComparison.Ordinal))
            {
                protectedPrefix = null;
            }

            if (s?.Skipped is { } skipped)
            {
                protectedPrefix = skipped.Path.EndsWith('/') ? skipped.Path : protectedPrefix;
                yield return new PlanItem(null, skipped);
            }
            else if (s is not null || protectedPrefix is null)
            {
                var destinationInfo = d is { } entry ? entry.Object ?? UnknownDestination(path) : null;
                var action = Decide(s?.Object, b, destinationInfo, destinationListed);
                if (action is not null)
                {
                    yield return new PlanItem(action, null);
                }
            }

            await src.AdvanceIfTaken();
            await bas.AdvanceIfTaken();
            await dst.AdvanceIfTaken();
        }
    }

    /// <summary>The pure rule for one path.</summary>
    /// <param name="source">The source object, or null when the source has nothing at the path.</param>
    /// <param name="baseline">What was last synced, or null.</param>
    /// <param name="destination">The listed destination object, or null.</param>
    /// <param name="destinationListed">False when the destination was not listed: it is assumed to match the baseline.</param>
    /// <returns>The action, or null when nothing is to be done.</returns>
    public static PlannedAction? Decide(ObjectInfo? source, BaselineEntry? baseline, ObjectInfo? destination, bool destinationListed)
    {
        if (source is null)
        {
            // Objects at the destination that we never wrote are left alone. A delete also goes out when
            // the destination is already gone: the executor treats a missing object as deleted.
            return baseline is null
                ? null
                : new PlannedAction(ActionKind.Delete, baseline.Path, null, baseline, destination, baseline.DestETag, false, null, "deleted at source");
        }

        if (baseline is null)
        {
            return destinationListed && destination is not null
                ? Upload(source, null, destination, null, "destination exists", destination.Sha256 is not null, destination.Sha256)
                : Upload(source, null, destination, null, "new");
        }

        var destinationMissing = destinationListed && destination is null;
        var destinationMatches = !destinationListed || (destination is not null && destination.Version == baseline.DestETag);
        if (!destinationMatches)
        {
            // Whether or not the source changed, the destination is not what we wrote: a missing one is
            // written again with If-None-Match; a changed one gets If-Match on the old ETag, which fails
            // as "destination changed" unless --force.
            return SourceUnchanged(source, baseline) || SameContentKnown(source, baseline)
                ? Upload(source, baseline, destination, destinationMissing ? null : baseline.DestETag, destinationMissing ? "destination missing" : "destination changed")
                : Upload(source, baseline, destination, destinationMissing ? null : baseline.DestETag, "changed");
        }

        if (SourceUnchanged(source, baseline))
        {
            return null;
        }

        if (source.Size != baseline.Size)
        {
            return Upload(source, baseline, destination, baseline.DestETag, "changed");
        }

        if (source.Sha256 is not null && baseline.Sha256 is not null)
        {
            return SameContentKnown(source, baseline)
                ? new PlannedAction(ActionKind.UpdateBaseline, source.Path, source, baseline, destination, baseline.DestETag, false, baseline.Sha256, "metadata only")
                : Upload(source, baseline, destination, baseline.DestETag, "changed");
        }

        // Same size, new version or time, content unknown: the executor hashes the source and only
        // updates the baseline when the hash is the one we synced.
        var canVerify = baseline.Sha256 is not null;
        return Upload(source, baseline, destination, baseline.DestETag, canVerify ? "changed (hash check first)" : "changed", canVerify, baseline.Sha256);
    }

    /// <summary>
    /// Same size and same version (when both sides have one), else same modification time.
    /// </summary>
    /// <remarks>
    /// When both versions are known they decide alone: a blob rewritten within one second keeps its
    /// Last-Modified but gets a new ETag.
    /// </remarks>
    public static bool SourceUnchanged(ObjectInfo source, BaselineEntry baseline)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(baseline);
        if (source.Size != baseline.Size)
        {
            return false;
        }

        return source.Version is not null && baseline.SourceVersion is not null
            ? string.Equals(source.Version, baseline.SourceVersion, StringComparison.Ordinal)
            : source.LastModified == baseline.LastModified;
    }

    private static bool SameContentKnown(ObjectInfo source, BaselineEntry baseline) =>
        source.Size == baseline.Size && source.Sha256 is not null && baseline.Sha256 is not null
        && string.Equals(source.Sha256, baseline.Sha256, StringComparison.OrdinalIgnoreCase);

    private static PlannedAction Upload(ObjectInfo source, BaselineEntry? baseline, ObjectInfo? destination, string? expectedETag, string reason, bool verifyHashFirst = false, string? knownSha256 = null) =>
        new(ActionKind.Upload, source.Path, source, baseline, destination, expectedETag, verifyHashFirst, knownSha256, reason);

    // A destination entry that could not be read: something is there, its version is unknown, so any
    // write to it is conditional and fails rather than overwrite it.
    private static ObjectInfo UnknownDestination(string path) => new(path, -1, default, null);

    private static string EntryPath(ListingEntry entry) =>
        entry.Object?.Path ?? entry.Skipped?.Path ?? throw new ArgumentException("a listing entry holds neither an object nor a skipped path");

    private static string? Min(string? a, string? b) =>
        a is null ? b : b is null ? a : string.CompareOrdinal(a, b) <= 0 ? a : b;
}

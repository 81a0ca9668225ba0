using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Core.Verify;

public enum VerifyDifferenceKind
{
    /// <summary>At the source, not at the destination.</summary>
    MissingAtDestination,

    /// <summary>At the destination, not at the source.</summary>
    ExtraAtDestination,

    /// <summary>On both sides with different sizes.</summary>
    SizeDiffers,

    /// <summary>On both sides, same size, different content hash.</summary>
    HashDiffers,

    /// <summary>The content could not be hashed on one side (read failed).</summary>
    HashUnknown,

    /// <summary>A listing skipped the path (unreadable, invalid name), so it could not be compared.</summary>
    Skipped,
}

/// <summary>One difference between source and destination.</summary>
public sealed record VerifyDifference(string Path, VerifyDifferenceKind Kind, string Detail);

/// <summary>The result of comparing two stores.</summary>
public sealed record VerifyReport
{
    /// <summary>Every difference, in path order.</summary>
    public required IReadOnlyList<VerifyDifference> Differences { get; init; }

    /// <summary>Paths present on both sides and compared (size, then hash).</summary>
    public long Compared { get; init; }

    /// <summary>Paths whose content was read and hashed because metadata did not give the hash (or --deep).</summary>
    public long Hashed { get; init; }

    public bool IsClean => Differences.Count == 0;
}

/// <summary>
/// Compares a source and a destination: marches both listings in ordinal order and reports every
/// difference. SHA-256 from metadata is trusted unless <c>deep</c>; a side without it is hashed by reading.
/// </summary>
/// <remarks>Stateless and thread-safe. Holds one entry per side plus the list of differences in memory.</remarks>
public static class VerifyService
{
    /// <param name="source">The source store.</param>
    /// <param name="destination">The destination store.</param>
    /// <param name="deep">Read and re-hash both sides instead of trusting hashes kept in metadata.</param>
    /// <param name="ct">Stops the comparison.</param>
    /// <exception cref="OutOfOrderException">A listing was not in ordinal order.</exception>
    public static async Task<VerifyReport> VerifyAsync(IObjectStore source, IObjectStore destination, bool deep, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var differences = new List<VerifyDifference>();
        long compared = 0, hashed = 0;
        await using var src = new MergeCursor<ListingEntry>(source.ListAsync(ct), "source", PathOf, ct);
        await using var dst = new MergeCursor<ListingEntry>(destination.ListAsync(ct), "destination", PathOf, ct);
        await src.MoveAsync();
        await dst.MoveAsync();
        string? skippedDirectory = null;
        while (src.Has || dst.Has)
        {
            ct.ThrowIfCancellationRequested();
            var path = Min(src.PathOrNull, dst.PathOrNull);
            var inSource = src.TryTake(path, out var s);
            var inDestination = dst.TryTake(path, out var d);
            skippedDirectory = skippedDirectory is not null && path.StartsWith(skippedDirectory, StringComparison.Ordinal) ? skippedDirectory : null;
            if (s.Skipped is { } skippedSource)
            {
                // A skipped directory ("d/") was reported once; what lies under it cannot be compared.
                skippedDirectory = path.EndsWith('/') ? path : null;
                differences.Add(new(path, VerifyDifferenceKind.Skipped, "source: " + skippedSource.Reason));
            }
            else if (skippedDirectory is not null && !inSource)
            {
                // Under a skipped source directory: already reported with the directory.
            }
            else if (d.Skipped is { } skippedDestination)
            {
                differences.Add(new(path, VerifyDifferenceKind.Skipped, "destination: " + skippedDestination.Reason));
            }
            else if (!inDestination)
            {
                differences.Add(new(path, VerifyDifferenceKind.MissingAtDestination, $"{s.Object!.Size} bytes at the source"));
            }
            else if (!inSource)
            {
                differences.Add(new(path, VerifyDifferenceKind.ExtraAtDestination, $"{d.Object!.Size} bytes at the destination"));
            }
            else
            {
                compared++;
                var (difference, reads) = await CompareAsync(source, s.Object!, destination, d.Object!, deep, ct);
                hashed += reads;
                if (difference is not null)
                {
                    differences.Add(difference);
                }
            }

            await src.AdvanceIfTaken();
            await dst.AdvanceIfTaken();
        }

        return new VerifyReport { Differences = differences, Compared = compared, Hashed = hashed };
    }

    private static async Task<(VerifyDifference? Difference, int Reads)> CompareAsync(
        IObjectStore source, ObjectInfo s, IObjectStore destination, ObjectInfo d, bool deep, CancellationToken ct)
    {
        if (s.Size != d.Size)
        {
            return (new(s.Path, VerifyDifferenceKind.SizeDiffers, $"source {s.Size} bytes, destination {d.Size} bytes"), 0);
        }

        var sourceHash = deep ? null : s.Sha256;
        var destinationHash = deep ? null : d.Sha256;
        if (!deep && (sourceHash is null || destinationHash is null) && s.ContentMd5 is not null && d.ContentMd5 is not null)
        {
            return string.Equals(s.ContentMd5, d.ContentMd5, StringComparison.Ordinal)
                ? (null, 0)
                : (new(s.Path, VerifyDifferenceKind.HashDiffers, $"MD5 source {s.ContentMd5}, destination {d.ContentMd5}"), 0);
        }

        var reads = 0;
        try
        {
            if (sourceHash is null)
            {
                sourceHash = await HashAsync(source, s.Path, ct);
                reads++;
            }

            if (destinationHash is null)
            {
                destinationHash = await HashAsync(destination, d.Path, ct);
                reads++;
            }
        }
        catch (StorageException e)
        {
            return (new(s.Path, VerifyDifferenceKind.HashUnknown, e.Message), reads);
        }

        return string.Equals(sourceHash, destinationHash, StringComparison.OrdinalIgnoreCase)
            ? (null, reads)
            : (new(s.Path, VerifyDifferenceKind.HashDiffers, $"SHA-256 source {sourceHash}, destination {destinationHash}"), reads);
    }

    private static async Task<string> HashAsync(IObjectStore store, string path, CancellationToken ct)
    {
        await using var content = await store.OpenReadAsync(path, 0, null, ct);
        return await HashingReadStream.ComputeHexAsync(content, ct);
    }

    private static string PathOf(ListingEntry entry) =>
        entry.Object?.Path ?? entry.Skipped?.Path ?? throw new ArgumentException("a listing entry holds neither an object nor a skipped path");

    private static string Min(string? a, string? b) =>
        a is null ? b! : b is null ? a : string.CompareOrdinal(a, b) <= 0 ? a : b;
}

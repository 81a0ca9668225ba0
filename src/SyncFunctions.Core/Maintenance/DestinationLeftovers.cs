using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Maintenance;

/// <summary>Opens the destination store of a pair, for maintenance to look for what unfinished runs left there.</summary>
/// <remarks>Thread-safe. The store is wrapped in the host's retry policy.</remarks>
public interface IPairDestinations
{
    /// <summary>The destination store of <paramref name="pairId"/>, or null when the pair is unknown here.</summary>
    /// <exception cref="InvalidOperationException">The pair's destination cannot be opened by this host.</exception>
    Task<IObjectStore?> OpenAsync(string pairId, CancellationToken cancellationToken);
}

/// <summary>What an unfinished transfer leaves at a destination.</summary>
public enum LeftoverKind
{
    /// <summary>Blocks staged for a blob and never committed (an upload cut short).</summary>
    UncommittedBlocks,

    /// <summary>A partial file next to the target (a download cut short).</summary>
    PartialFile,
}

/// <summary>One path's leftovers at a pair's destination.</summary>
/// <param name="PairId">The pair.</param>
/// <param name="RunId">The ended or abandoned run whose unfinished action wrote them.</param>
/// <param name="Path">The destination path.</param>
/// <param name="Kind">What they are.</param>
/// <param name="Count">Blocks (or 1 partial file).</param>
/// <param name="Bytes">Their bytes.</param>
public sealed record DestinationLeftover(string PairId, string RunId, string Path, LeftoverKind Kind, long Count, long Bytes)
{
    /// <summary>Why they are (to be) left in place; null when they are removed (or, in a dry run, would be).</summary>
    public string? Kept { get; init; }
}

/// <summary>Totals of one kind of destination leftover: found, removed (dry run: would be) and left, each a count and bytes.</summary>
public sealed record LeftoverTotals(long Found, long FoundBytes, long Removed, long RemovedBytes, long Left, long LeftBytes)
{
    /// <summary>Nothing found.</summary>
    public static LeftoverTotals None { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>The totals of <paramref name="leftovers"/> of <paramref name="kind"/>.</summary>
    public static LeftoverTotals Of(IEnumerable<DestinationLeftover> leftovers, LeftoverKind kind)
    {
        var all = leftovers.Where(l => l.Kind == kind).ToList();
        var removed = all.Where(l => l.Kept is null).ToList();
        var left = all.Where(l => l.Kept is not null).ToList();
        return new(all.Sum(l => l.Count), all.Sum(l => l.Bytes), removed.Sum(l => l.Count), removed.Sum(l => l.Bytes), left.Sum(l => l.Count), left.Sum(l => l.Bytes));
    }
}

using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>What <see cref="RepositoryVerifier.VerifyAsync"/> checks beyond the structure.</summary>
public sealed record VerifyOptions
{
    /// <summary>
    /// Also read the packs that hold chunks of a snapshot (or the <see cref="Subset"/> of them) and decode every chunk
    /// of each, checking it against its id; else only footers, indexes, trees and records are read.
    /// </summary>
    public bool ReadData { get; init; }

    /// <summary>
    /// With <see cref="ReadData"/>, the fraction (0 &lt; p &lt;= 1) of those packs read: a pack is read when the first
    /// 8 bytes of its id, as a big-endian unsigned number, are below p x 2^64. Deterministic (the same packs every
    /// time for the same p, and a larger p reads a superset); since ids are SHA-256 values, about p of the packs.
    /// </summary>
    public double Subset { get; init; } = 1.0;

    /// <summary>Null when the options can be used, else what is wrong.</summary>
    public string? Problem() =>
        Subset is > 0 and <= 1 ? null : $"the subset of packs to read is a fraction above 0 and at most 1, not {Subset}";
}

/// <summary>The stages of a verification, in the order they run.</summary>
public enum VerifyPhase
{
    /// <summary>Reading the config and listing the store.</summary>
    Listing,

    /// <summary>Reading and decoding every pack index.</summary>
    Indexes,

    /// <summary>Reading the footer of every pack a live index names and comparing it with the index.</summary>
    Packs,

    /// <summary>Reading and decoding every snapshot record and head.</summary>
    Snapshots,

    /// <summary>Reading every tree reachable from a snapshot and checking its files' chunks against the indexes.</summary>
    Trees,

    /// <summary>Reading whole packs and decoding every chunk (<see cref="VerifyOptions.ReadData"/> only).</summary>
    Data,
}

/// <summary>How far a verification is.</summary>
/// <param name="Phase">The stage it is in.</param>
/// <param name="Done">Objects of the stage done.</param>
/// <param name="Total">Objects of the stage known so far (for trees it grows as subtrees are found).</param>
public readonly record struct VerifyProgress(VerifyPhase Phase, long Done, long Total);

/// <summary>One thing wrong with a repository.</summary>
/// <param name="Object">
/// The store path of the damaged object (<c>packs/ab/ab12…</c>, <c>index/…</c>, <c>trees/cd/cd34…</c>,
/// <c>snapshots/…</c>, <c>heads/&lt;pair&gt;</c>, <c>config</c>); for a damaged or missing chunk, the path of the pack
/// that holds it or of the tree whose file names it, with the chunk in <see cref="Chunk"/>.
/// </param>
/// <param name="Damage">What is wrong, in the words of the format.</param>
/// <param name="Detail">What is wrong, in a sentence (it names the chunk and the file where there is one).</param>
public sealed record VerifyProblem(string Object, FormatDamage Damage, string Detail)
{
    /// <summary>The chunk the problem is about, if it is about one.</summary>
    public ObjectId? Chunk { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Chunk is { } chunk ? $"{Object} (chunk {chunk}): {Detail}" : $"{Object}: {Detail}";
}

/// <summary>What a verification checked and found.</summary>
public sealed record VerifyReport
{
    /// <summary>Snapshot records read.</summary>
    public int Snapshots { get; init; }

    /// <summary>Heads read.</summary>
    public int Heads { get; init; }

    /// <summary>Snapshot record sets read (records compaction merged; their records count in <see cref="Snapshots"/>).</summary>
    public int RecordSets { get; init; }

    /// <summary>Distinct trees reachable from the snapshots, read.</summary>
    public int Trees { get; init; }

    /// <summary>Pack indexes read (superseded ones included).</summary>
    public int Indexes { get; init; }

    /// <summary>Packs the live (not superseded) indexes name, whose footers were checked.</summary>
    public int Packs { get; init; }

    /// <summary>Distinct chunks the snapshots' files name, looked up in the indexes.</summary>
    public long ChunksChecked { get; init; }

    /// <summary>Chunks decoded and checked against their ids (<see cref="VerifyOptions.ReadData"/>).</summary>
    public long ChunksRead { get; init; }

    /// <summary>Packs read whole (<see cref="VerifyOptions.ReadData"/>).</summary>
    public int PacksRead { get; init; }

    /// <summary>The bytes of the packs read whole.</summary>
    public long BytesRead { get; init; }

    /// <summary>The ids of the packs read whole, in id order.</summary>
    public IReadOnlyList<ObjectId> ReadPacks { get; init; } = [];

    /// <summary>
    /// Trees no snapshot reaches (for information, not damage: a run's content-reference trees, or trees of a snapshot
    /// whose record was never written).
    /// </summary>
    public int UnreferencedTrees { get; init; }

    /// <summary>Packs in the store that no live index names (for information: an upload whose index was never written).</summary>
    public int UnindexedPacks { get; init; }

    /// <summary>Everything found wrong, ordered by object, then detail.</summary>
    public IReadOnlyList<VerifyProblem> Problems { get; init; } = [];

    /// <summary>True when nothing was found wrong.</summary>
    public bool IsClean => Problems.Count == 0;
}

using System.Globalization;

namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>The kinds of object a repository stores, one folder (or file) each.</summary>
public enum RepositoryObjectKind
{
    /// <summary><c>config</c>: the <see cref="RepositoryConfig"/>.</summary>
    Config,

    /// <summary><c>packs/&lt;2 hex&gt;/&lt;packId&gt;</c>: a pack (<see cref="PackFormat"/>).</summary>
    Pack,

    /// <summary><c>index/&lt;indexId&gt;</c>: a <see cref="PackIndex"/>.</summary>
    Index,

    /// <summary><c>trees/&lt;2 hex&gt;/&lt;treeId&gt;</c>: a <see cref="TreeManifest"/>.</summary>
    Tree,

    /// <summary><c>snapshots/&lt;snapshotId&gt;</c>: a <see cref="SnapshotRecord"/>.</summary>
    Snapshot,

    /// <summary><c>heads/&lt;pairId&gt;</c>: a <see cref="SnapshotHead"/>.</summary>
    Head,

    /// <summary><c>gc/marks/&lt;yyyyMMddTHHmmssZ&gt;-&lt;16 hex&gt;</c>: a garbage collector's <see cref="GcMark"/>.</summary>
    GcMark,

    /// <summary><c>snapshot-sets/&lt;setId&gt;</c>: a <see cref="SnapshotRecordSet"/>, records compaction merged.</summary>
    RecordSet,
}

/// <summary>A path of the repository layout, parsed: what it holds and the id in its name.</summary>
/// <param name="Kind">The kind of object.</param>
/// <param name="Id">The object's id (default for the config and heads).</param>
/// <param name="PairId">The pair id of a head, else null.</param>
/// <param name="MarkName">The name of a GC mark (after <c>gc/marks/</c>), else null.</param>
public readonly record struct RepositoryPath(RepositoryObjectKind Kind, ObjectId Id, string? PairId, string? MarkName = null);

/// <summary>
/// Where a repository keeps each object, relative to the repository's prefix in its container:
/// <code>
/// config                       repository config (JSON)
/// packs/&lt;2 hex&gt;/&lt;packId&gt;       packs; id = SHA-256 of the pack
/// index/&lt;indexId&gt;              pack indexes; id = SHA-256 of the stored (compressed) bytes
/// trees/&lt;2 hex&gt;/&lt;treeId&gt;       tree manifests; id = SHA-256 of the stored (compressed) bytes
/// snapshots/&lt;snapshotId&gt;       snapshot records; id = SHA-256 of the stored canonical JSON
/// snapshot-sets/&lt;setId&gt;        records compaction merged (a record is in the repository when stored alone or in a set)
/// heads/&lt;pairId&gt;               each pair's latest snapshot (JSON, replaced under an ETag condition)
/// gc/marks/&lt;time&gt;-&lt;hex&gt;        the garbage collector's marks: objects found unreferenced (JSON)
/// </code>
/// Ids are 64 lowercase hex digits; the two-digit folder of packs and trees is the first two digits of the id.
/// </summary>
public static class RepositoryLayout
{
    /// <summary>The repository config's path.</summary>
    public const string ConfigPath = "config";

    /// <summary>The folder of the packs (with its fan-out folders).</summary>
    public const string PacksFolder = "packs/";

    /// <summary>The folder of the pack indexes.</summary>
    public const string IndexFolder = "index/";

    /// <summary>The folder of the tree manifests (with its fan-out folders).</summary>
    public const string TreesFolder = "trees/";

    /// <summary>The folder of the snapshot records.</summary>
    public const string SnapshotsFolder = "snapshots/";

    /// <summary>The folder of the snapshot record sets.</summary>
    public const string RecordSetsFolder = "snapshot-sets/";

    /// <summary>The folder of the heads.</summary>
    public const string HeadsFolder = "heads/";

    /// <summary>The folder of the garbage collector's marks.</summary>
    public const string GcMarksFolder = "gc/marks/";

    /// <summary>The format of the time that starts a mark's name (UTC, to the second).</summary>
    public const string MarkTimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The number of hex digits after the time in a mark's name.</summary>
    public const int MarkSuffixLength = 16;

    /// <summary>The longest pair id a head's name may carry.</summary>
    public const int MaxPairIdLength = 64;

    /// <summary>Where a pack is stored.</summary>
    public static string PackPath(ObjectId packId) => FanOut(PacksFolder, packId);

    /// <summary>Where a pack index is stored.</summary>
    public static string IndexPath(ObjectId indexId) => IndexFolder + indexId;

    /// <summary>Where a tree manifest is stored.</summary>
    public static string TreePath(ObjectId treeId) => FanOut(TreesFolder, treeId);

    /// <summary>Where a snapshot record is stored.</summary>
    public static string SnapshotPath(ObjectId snapshotId) => SnapshotsFolder + snapshotId;

    /// <summary>Where a snapshot record set is stored.</summary>
    public static string RecordSetPath(ObjectId setId) => RecordSetsFolder + setId;

    /// <summary>Where a pair's head is stored.</summary>
    /// <exception cref="ArgumentException">The pair id is not valid (<see cref="ValidatePairId"/>).</exception>
    public static string HeadPath(string pairId) =>
        ValidatePairId(pairId) is { } problem ? throw new ArgumentException(problem, nameof(pairId)) : HeadsFolder + pairId;

    /// <summary>
    /// Where a GC mark written at <paramref name="time"/> is stored: the time (UTC, to the second, so names sort by
    /// time) and <paramref name="suffix"/>, 16 lowercase hex digits that keep two marks of one second apart.
    /// </summary>
    /// <exception cref="ArgumentException">The suffix is not 16 lowercase hex digits.</exception>
    public static string MarkPath(DateTimeOffset time, string suffix)
    {
        ArgumentNullException.ThrowIfNull(suffix);
        if (suffix.Length != MarkSuffixLength || !suffix.All(IsLowerHex))
        {
            throw new ArgumentException($"a mark's suffix is {MarkSuffixLength} lowercase hex digits, not '{suffix}'", nameof(suffix));
        }

        return GcMarksFolder + time.UtcDateTime.ToString(MarkTimeFormat, CultureInfo.InvariantCulture) + "-" + suffix;
    }

    /// <summary>
    /// Null when <paramref name="pairId"/> can name a head (1..64 of <c>0-9 a-z - _</c>, as pair ids are 32 hex
    /// digits), else what is wrong with it.
    /// </summary>
    public static string? ValidatePairId(string? pairId)
    {
        if (string.IsNullOrEmpty(pairId))
        {
            return "a pair id is empty";
        }

        if (pairId.Length > MaxPairIdLength)
        {
            return $"a pair id is at most {MaxPairIdLength} characters, not {pairId.Length}";
        }

        foreach (var c in pairId)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'z') or '-' or '_'))
            {
                return $"pair id '{pairId}' has a character other than 0-9, a-z, '-' and '_'";
            }
        }

        return null;
    }

    /// <summary>
    /// Parses a path of the layout (relative to the repository's prefix); false for anything else, including a pack
    /// or tree in the wrong fan-out folder, an id not in lowercase hex, or an invalid pair id.
    /// </summary>
    public static bool TryParse(string? path, out RepositoryPath parsed)
    {
        parsed = default;
        if (path is null)
        {
            return false;
        }

        if (path == ConfigPath)
        {
            parsed = new RepositoryPath(RepositoryObjectKind.Config, default, null);
            return true;
        }

        if (path.StartsWith(HeadsFolder, StringComparison.Ordinal))
        {
            var pairId = path[HeadsFolder.Length..];
            if (ValidatePairId(pairId) is not null)
            {
                return false;
            }

            parsed = new RepositoryPath(RepositoryObjectKind.Head, default, pairId);
            return true;
        }

        if (path.StartsWith(GcMarksFolder, StringComparison.Ordinal))
        {
            var name = path[GcMarksFolder.Length..];
            if (!IsMarkName(name))
            {
                return false;
            }

            parsed = new RepositoryPath(RepositoryObjectKind.GcMark, default, null, name);
            return true;
        }

        return TryParseId(path, PacksFolder, fanOut: true, RepositoryObjectKind.Pack, out parsed)
            || TryParseId(path, TreesFolder, fanOut: true, RepositoryObjectKind.Tree, out parsed)
            || TryParseId(path, IndexFolder, fanOut: false, RepositoryObjectKind.Index, out parsed)
            || TryParseId(path, SnapshotsFolder, fanOut: false, RepositoryObjectKind.Snapshot, out parsed)
            || TryParseId(path, RecordSetsFolder, fanOut: false, RepositoryObjectKind.RecordSet, out parsed);
    }

    private static bool IsLowerHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f');

    private static bool IsMarkName(string name)
    {
        const int timeLength = 16;
        return name.Length == timeLength + 1 + MarkSuffixLength
            && name[timeLength] == '-'
            && DateTime.TryParseExact(name[..timeLength], MarkTimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _)
            && name[(timeLength + 1)..].All(IsLowerHex);
    }

    private static string FanOut(string folder, ObjectId id)
    {
        var hex = id.ToString();
        return string.Concat(folder, hex.AsSpan(0, 2), "/", hex);
    }

    private static bool TryParseId(string path, string folder, bool fanOut, RepositoryObjectKind kind, out RepositoryPath parsed)
    {
        parsed = default;
        if (!path.StartsWith(folder, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = path.AsSpan(folder.Length);
        if (fanOut)
        {
            if (rest.Length != 3 + ObjectId.HexLength || rest[2] != '/' || !rest[..2].SequenceEqual(rest.Slice(3, 2)))
            {
                return false;
            }

            rest = rest[3..];
        }

        if (!ObjectId.TryParse(rest, out var id))
        {
            return false;
        }

        parsed = new RepositoryPath(kind, id, null);
        return true;
    }
}

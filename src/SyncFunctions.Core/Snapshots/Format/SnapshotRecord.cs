namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// A snapshot record, format version 1: one backup of a pair's source, pointing at its root tree.
/// </summary>
/// <remarks>
/// Stored as canonical JSON (not compressed); the snapshot id is the SHA-256 of the stored bytes. Tags are sorted
/// (ordinal), each once; <c>parent</c> is null for a pair's first snapshot:
/// <code>
/// {"version":1,"time":"2026-01-02T03:04:05.0000000Z","pair":{"id":"&lt;pairId&gt;","name":"docs"},
///  "source":"&lt;endpoint&gt;","host":"&lt;host&gt;","tree":"&lt;treeId&gt;","files":12,"bytes":34567,
///  "parent":"&lt;snapshotId&gt;","tags":["daily"],"run":"&lt;runId&gt;"}
/// </code>
/// </remarks>
public sealed record SnapshotRecord
{
    private readonly ValueList<string> _tags = ValueList<string>.Empty;

    /// <summary>When the snapshot was taken (stored in UTC, to the tick).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The pair it is a snapshot of.</summary>
    public required SnapshotPair Pair { get; init; }

    /// <summary>The source endpoint, as text.</summary>
    public required string Source { get; init; }

    /// <summary>The host that took it.</summary>
    public required string Host { get; init; }

    /// <summary>The root tree's id.</summary>
    public required ObjectId RootTree { get; init; }

    /// <summary>The number of files in it.</summary>
    public long Files { get; init; }

    /// <summary>The sum of its files' sizes (before dedup and compression).</summary>
    public long Bytes { get; init; }

    /// <summary>The snapshot of the pair this one followed, or null.</summary>
    public ObjectId? Parent { get; init; }

    /// <summary>Its tags, sorted (ordinal), each once.</summary>
    public IReadOnlyList<string> Tags
    {
        get => _tags;
        init => _tags = ValueList<string>.Wrap([.. (value ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    /// <summary>The run that took it.</summary>
    public required string RunId { get; init; }

    /// <summary>The stored form (canonical JSON) and its id (the snapshot id).</summary>
    /// <exception cref="ArgumentException">The record breaks a rule of the format.</exception>
    public StoredObject Encode() => new(ToCanonicalJson());

    /// <summary>Decodes a stored snapshot record, checking that it hashes to <paramref name="snapshotId"/>.</summary>
    /// <exception cref="RepositoryFormatException">The record is damaged; the message names it.</exception>
    public static SnapshotRecord Decode(ObjectId snapshotId, ReadOnlyMemory<byte> stored)
    {
        var name = $"snapshot {snapshotId}";
        StoredObject.CheckHash(name, snapshotId, stored.Span);
        return StrictJson.Decode(name, stored, Read, s => s.ToCanonicalJson());
    }

    private byte[] ToCanonicalJson() => Write(new CanonicalJsonWriter()).ToArray();

    /// <summary>Writes the record's canonical JSON object to <paramref name="json"/> (a record set embeds it as it is).</summary>
    /// <exception cref="ArgumentException">The record breaks a rule of the format.</exception>
    internal CanonicalJsonWriter Write(CanonicalJsonWriter json)
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException("not a valid snapshot record: " + problem);
        }

        json.BeginObject().Name("version").Number(StrictJson.Version).Name("time").Time(Time).Name("pair");
        Pair.Write(json);
        json.Name("source").String(Source).Name("host").String(Host).Name("tree").Id(RootTree).Name("files").Number(Files)
            .Name("bytes").Number(Bytes).Name("parent").NullableId(Parent).Name("tags").BeginArray();
        foreach (var tag in _tags)
        {
            json.String(tag);
        }

        return json.EndArray().Name("run").String(RunId).EndObject();
    }

    private string? Problem()
    {
        if (Pair.Problem() is { } pairProblem)
        {
            return pairProblem;
        }

        if (string.IsNullOrEmpty(Source) || string.IsNullOrEmpty(Host) || string.IsNullOrEmpty(RunId))
        {
            return "the source, host and run id are not empty";
        }

        if (Files < 0 || Bytes < 0)
        {
            return "the file and byte counts are not negative";
        }

        return _tags.Any(t => t.Length == 0) ? "a tag is empty" : null;
    }

    /// <summary>Reads a record embedded in another object (a record set): its own version is checked here.</summary>
    internal static SnapshotRecord ReadEmbedded(StrictObject record)
    {
        record.Integer("version", StrictJson.Version, StrictJson.Version);
        return Read(record);
    }

    private static SnapshotRecord Read(StrictObject root)
    {
        root.Expect("version", "time", "pair", "source", "host", "tree", "files", "bytes", "parent", "tags", "run");
        var tags = new List<string>();
        foreach (var (i, item) in root.Array("tags"))
        {
            var tag = root.StringItem(item, $"tags[{i}]");
            if (tags.Count > 0 && string.CompareOrdinal(tag, tags[^1]) <= 0)
            {
                throw root.Fail($"tags[{i}] is not after tags[{i - 1}] (tags in ordinal order, each once)");
            }

            tags.Add(tag);
        }

        var record = new SnapshotRecord
        {
            Time = root.Time("time"),
            Pair = SnapshotPair.Read(root.Object("pair", "pair")),
            Source = root.String("source"),
            Host = root.String("host"),
            RootTree = root.Id("tree"),
            Files = root.Integer("files", 0, long.MaxValue),
            Bytes = root.Integer("bytes", 0, long.MaxValue),
            Parent = root.NullableId("parent"),
            Tags = tags,
            RunId = root.String("run"),
        };
        return record.Problem() is { } problem ? throw root.Fail(problem) : record;
    }
}

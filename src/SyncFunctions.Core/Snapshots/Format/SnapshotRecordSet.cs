namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// A snapshot record set, format version 1: many snapshot records merged into one object by compaction, so listing a
/// repository's snapshots reads one object instead of one per snapshot.
/// </summary>
/// <remarks>
/// Stored as zstd of canonical JSON; the set's id is the SHA-256 of the stored bytes. Each record is embedded exactly
/// as it is stored on its own (its canonical JSON object), so its snapshot id, the SHA-256 of that object's bytes,
/// is the same in a set as outside one. Records are in snapshot-id order, each once, all of one pair, and a set holds
/// at least one:
/// <code>
/// {"version":1,"records":[{"version":1,"time":...,"run":"..."},{"version":1,...}]}
/// </code>
/// </remarks>
public sealed record SnapshotRecordSet
{
    /// <summary>The most records one set holds (a guard for readers; compaction writes one set per pair).</summary>
    public const int MaxRecords = 1_000_000;

    private readonly ValueList<StoredSnapshot> _records;

    /// <param name="records">The records with their snapshot ids (any order; each id once).</param>
    /// <exception cref="ArgumentException">No records, too many, an id twice, an id that is not its record's, or records of two pairs.</exception>
    public SnapshotRecordSet(IEnumerable<StoredSnapshot> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var sorted = records.OrderBy(r => r.Id).ToList();
        if (Problem(sorted) is { } problem)
        {
            throw new ArgumentException("not a valid snapshot record set: " + problem, nameof(records));
        }

        _records = ValueList<StoredSnapshot>.Wrap([.. sorted]);
    }

    /// <summary>Records <see cref="Read"/> checked already (order, one pair, each id its record's hash).</summary>
    private SnapshotRecordSet(ValueList<StoredSnapshot> checkedRecords) => _records = checkedRecords;

    /// <summary>The records, in snapshot-id order.</summary>
    public IReadOnlyList<StoredSnapshot> Records => _records;

    /// <summary>The id of the pair every record is of.</summary>
    public string PairId => _records[0].Record.Pair.Id;

    /// <summary>The stored form (zstd of the canonical JSON) and its id.</summary>
    public StoredObject Encode() => new(Zstd.Compress(ToCanonicalJson()));

    /// <summary>The canonical JSON (what <see cref="Encode"/> compresses).</summary>
    public byte[] ToCanonicalJson()
    {
        var json = new CanonicalJsonWriter().BeginObject().Name("version").Number(StrictJson.Version).Name("records").BeginArray();
        foreach (var record in _records)
        {
            record.Record.Write(json);
        }

        return json.EndArray().EndObject().ToArray();
    }

    /// <summary>Decodes a stored set, checking that it hashes to <paramref name="setId"/>.</summary>
    /// <exception cref="RepositoryFormatException">The set is damaged; the message names it (and the record, by index).</exception>
    public static SnapshotRecordSet Decode(ObjectId setId, ReadOnlyMemory<byte> stored)
    {
        var name = $"snapshot record set {setId}";
        StoredObject.CheckHash(name, setId, stored.Span);
        return StrictJson.Decode(name, Zstd.Decompress(name, stored, StrictJson.MaxDecompressedLength), Read, set => set.ToCanonicalJson());
    }

    private static string? Problem(List<StoredSnapshot> sorted)
    {
        if (sorted.Count is 0 or > MaxRecords)
        {
            return $"a set holds 1..{MaxRecords} records, not {sorted.Count}";
        }

        for (var i = 0; i < sorted.Count; i++)
        {
            if (i > 0 && sorted[i].Id == sorted[i - 1].Id)
            {
                return $"snapshot {sorted[i].Id} is in it twice";
            }

            if (sorted[i].Record.Pair.Id != sorted[0].Record.Pair.Id)
            {
                return $"it holds snapshots of pairs {sorted[0].Record.Pair.Id} and {sorted[i].Record.Pair.Id} (a set is of one pair)";
            }

            if (sorted[i].Record.Encode().Id != sorted[i].Id)
            {
                return $"the record given as snapshot {sorted[i].Id} hashes to {sorted[i].Record.Encode().Id}";
            }
        }

        return null;
    }

    private static SnapshotRecordSet Read(StrictObject root)
    {
        root.Expect("version", "records");
        var records = new List<StoredSnapshot>();
        foreach (var (i, item) in root.Array("records"))
        {
            if (records.Count == MaxRecords)
            {
                throw root.Fail($"more than {MaxRecords} records");
            }

            var where = $"records[{i}]";
            var record = SnapshotRecord.ReadEmbedded(root.Item(item, where));
            if (records.Count > 0 && record.Pair.Id != records[0].Record.Pair.Id)
            {
                throw root.Fail($"{where} is a snapshot of pair {record.Pair.Id}, records[0] of pair {records[0].Record.Pair.Id} (a set is of one pair)");
            }

            var id = record.Encode().Id;
            if (records.Count > 0 && id <= records[^1].Id)
            {
                throw root.Fail($"{where} (snapshot {id}) is not after records[{i - 1}] (records in snapshot-id order, each once)");
            }

            records.Add(new StoredSnapshot(id, record));
        }

        return records.Count == 0 ? throw root.Fail("no records (a set holds at least one)") : new SnapshotRecordSet(ValueList<StoredSnapshot>.Wrap([.. records]));
    }
}

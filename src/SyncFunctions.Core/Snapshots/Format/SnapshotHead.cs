namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// A pair's head, format version 1: its latest snapshot, stored at <see cref="RepositoryLayout.HeadPath"/> and
/// replaced under an ETag condition. Canonical JSON, not compressed, not content-addressed:
/// <code>
/// {"version":1,"pair":{"id":"&lt;pairId&gt;","name":"docs"},"snapshot":"&lt;snapshotId&gt;","time":"2026-01-02T03:04:05.0000000Z"}
/// </code>
/// </summary>
/// <param name="Pair">The pair (its id is the head's name).</param>
/// <param name="Snapshot">The pair's latest snapshot.</param>
/// <param name="Time">When that snapshot was taken (stored in UTC, to the tick).</param>
public sealed record SnapshotHead(SnapshotPair Pair, ObjectId Snapshot, DateTimeOffset Time)
{
    /// <summary>The stored bytes.</summary>
    /// <exception cref="ArgumentException">The pair is not valid.</exception>
    public byte[] Encode()
    {
        if (Pair.Problem() is { } problem)
        {
            throw new ArgumentException("not a valid head: " + problem);
        }

        var json = new CanonicalJsonWriter().BeginObject().Name("version").Number(StrictJson.Version).Name("pair");
        Pair.Write(json);
        return json.Name("snapshot").Id(Snapshot).Name("time").Time(Time).EndObject().ToArray();
    }

    /// <summary>Decodes the head stored under <c>heads/&lt;pairId&gt;</c>, which must name that pair.</summary>
    /// <exception cref="RepositoryFormatException">The head is damaged or names another pair; the message names it.</exception>
    public static SnapshotHead Decode(string pairId, ReadOnlyMemory<byte> stored)
    {
        var name = $"head {pairId}";
        return StrictJson.Decode(name, stored, root =>
        {
            root.Expect("version", "pair", "snapshot", "time");
            var head = new SnapshotHead(SnapshotPair.Read(root.Object("pair", "pair")), root.Id("snapshot"), root.Time("time"));
            return head.Pair.Id == pairId ? head : throw root.Fail($"it names pair {head.Pair.Id}");
        }, head => head.Encode());
    }
}

namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>The pair a snapshot or head belongs to.</summary>
/// <param name="Id">The pair id (<see cref="RepositoryLayout.ValidatePairId"/>).</param>
/// <param name="Name">The pair's name when it is a named pair, else null.</param>
public sealed record SnapshotPair(string Id, string? Name)
{
    /// <summary>Null when the pair can be stored, else what is wrong.</summary>
    internal string? Problem() =>
        RepositoryLayout.ValidatePairId(Id) ?? (Name is { Length: 0 } ? "a pair name is empty (use null for an unnamed pair)" : null);

    internal void Write(CanonicalJsonWriter json) =>
        json.BeginObject().Name("id").String(Id).Name("name").NullableString(Name).EndObject();

    internal static SnapshotPair Read(StrictObject pair)
    {
        pair.Expect("id", "name");
        var read = new SnapshotPair(pair.String("id"), pair.NullableString("name"));
        return read.Problem() is { } problem ? throw pair.Fail(problem) : read;
    }
}

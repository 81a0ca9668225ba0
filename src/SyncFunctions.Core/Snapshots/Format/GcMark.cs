namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// A garbage collector's mark, format version 1: the objects one GC cycle found unreferenced and old enough, stored
/// at <see cref="RepositoryLayout.MarkPath"/>. Canonical JSON, not compressed, not content-addressed; objects are
/// repository paths (packs, indexes, trees) in ordinal order, each once:
/// <code>
/// {"version":1,"time":"2026-01-02T03:04:05.0000000Z","objects":["index/&lt;id&gt;","packs/ab/&lt;id&gt;","trees/cd/&lt;id&gt;"]}
/// </code>
/// </summary>
/// <remarks>
/// Writers read the marks when they open or refresh a repository and never newly reference a marked object; the
/// collector deletes an object only when it is still unreferenced and in each of its last marks (see docs/snapshots.md).
/// </remarks>
public sealed record GcMark
{
    private readonly ValueList<string> _objects = ValueList<string>.Empty;

    /// <summary>A mark of <paramref name="objects"/> (in any order; kept in ordinal order, each once) written at <paramref name="time"/>.</summary>
    public GcMark(DateTimeOffset time, IEnumerable<string> objects)
    {
        Time = time;
        Objects = [.. objects];
    }

    /// <summary>When the mark was written (stored in UTC, to the tick).</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The marked objects' repository paths, in ordinal order, each once.</summary>
    public IReadOnlyList<string> Objects
    {
        get => _objects;
        init => _objects = ValueList<string>.Wrap([.. value.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    /// <summary>The stored bytes.</summary>
    /// <exception cref="ArgumentException">An object is not a pack, index or tree path of the layout.</exception>
    public byte[] Encode()
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException("not a valid GC mark: " + problem);
        }

        var json = new CanonicalJsonWriter().BeginObject().Name("version").Number(StrictJson.Version).Name("time").Time(Time).Name("objects").BeginArray();
        foreach (var path in _objects)
        {
            json.String(path);
        }

        return json.EndArray().EndObject().ToArray();
    }

    /// <summary>Decodes the mark stored under <c>gc/marks/&lt;name&gt;</c>.</summary>
    /// <exception cref="RepositoryFormatException">The mark is damaged; the message names it.</exception>
    public static GcMark Decode(string name, ReadOnlyMemory<byte> stored) => StrictJson.Decode($"GC mark {name}", stored, root =>
    {
        root.Expect("version", "time", "objects");
        var objects = new List<string>();
        foreach (var (i, item) in root.Array("objects"))
        {
            var path = root.StringItem(item, $"objects[{i}]");
            if (objects.Count > 0 && string.CompareOrdinal(path, objects[^1]) <= 0)
            {
                throw root.Fail($"objects[{i}] is not after objects[{i - 1}] (objects in ordinal order, each once)");
            }

            objects.Add(path);
        }

        var mark = new GcMark(root.Time("time"), objects);
        return mark.Problem() is { } problem ? throw root.Fail(problem) : mark;
    }, mark => mark.Encode());

    private string? Problem()
    {
        foreach (var path in _objects)
        {
            if (!RepositoryLayout.TryParse(path, out var parsed)
                || parsed.Kind is not (RepositoryObjectKind.Pack or RepositoryObjectKind.Index or RepositoryObjectKind.Tree))
            {
                return $"'{path}' is not the path of a pack, index or tree";
            }
        }

        return null;
    }
}

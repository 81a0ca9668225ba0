namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>The content-defined chunker's bounds, fixed for a repository (chunk ids depend on them).</summary>
/// <param name="Min">The shortest chunk (but a file's last).</param>
/// <param name="Average">The average chunk length aimed at.</param>
/// <param name="Max">The longest chunk, at most <see cref="PackFormat.MaxChunkLength"/>.</param>
public sealed record ChunkerParameters(int Min, int Average, int Max)
{
    /// <summary>Null when 1 &lt;= min &lt;= average &lt;= max &lt;= <see cref="PackFormat.MaxChunkLength"/>, else what is wrong.</summary>
    public string? Problem() =>
        Min >= 1 && Min <= Average && Average <= Max && Max <= PackFormat.MaxChunkLength
            ? null
            : $"chunker bounds {Min}/{Average}/{Max} are not 1 <= min <= avg <= max <= {PackFormat.MaxChunkLength}";
}

/// <summary>
/// The repository config, format version 1, stored at <see cref="RepositoryLayout.ConfigPath"/> once, when the
/// repository is created. Canonical JSON, not compressed:
/// <code>
/// {"version":1,"id":"&lt;64 hex, random&gt;","created":"2026-01-02T03:04:05.0000000Z","chunker":{"min":524288,"avg":1048576,"max":8388608}}
/// </code>
/// </summary>
/// <param name="RepositoryId">32 random bytes that tell repositories apart (not a hash).</param>
/// <param name="Created">When it was created (stored in UTC, to the tick).</param>
/// <param name="Chunker">The chunker's bounds.</param>
public sealed record RepositoryConfig(ObjectId RepositoryId, DateTimeOffset Created, ChunkerParameters Chunker)
{
    private const string Name = "config";

    /// <summary>The stored bytes.</summary>
    /// <exception cref="ArgumentException">The chunker bounds are not valid.</exception>
    public byte[] Encode()
    {
        if (Chunker.Problem() is { } problem)
        {
            throw new ArgumentException("not a valid repository config: " + problem);
        }

        return new CanonicalJsonWriter().BeginObject().Name("version").Number(StrictJson.Version).Name("id").Id(RepositoryId)
            .Name("created").Time(Created).Name("chunker").BeginObject().Name("min").Number(Chunker.Min)
            .Name("avg").Number(Chunker.Average).Name("max").Number(Chunker.Max).EndObject().EndObject().ToArray();
    }

    /// <summary>Decodes the stored config.</summary>
    /// <exception cref="RepositoryFormatException">The config is damaged; the message names it.</exception>
    public static RepositoryConfig Decode(ReadOnlyMemory<byte> stored) => StrictJson.Decode(Name, stored, root =>
    {
        root.Expect("version", "id", "created", "chunker");
        var chunker = root.Object("chunker", "chunker").Expect("min", "avg", "max");
        var bounds = new ChunkerParameters((int)chunker.Integer("min", 1, PackFormat.MaxChunkLength),
            (int)chunker.Integer("avg", 1, PackFormat.MaxChunkLength), (int)chunker.Integer("max", 1, PackFormat.MaxChunkLength));
        return bounds.Problem() is { } problem
            ? throw chunker.Fail(problem)
            : new RepositoryConfig(root.Id("id"), root.Time("created"), bounds);
    }, config => config.Encode());
}

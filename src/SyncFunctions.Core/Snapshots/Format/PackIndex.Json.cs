namespace SyncFunctions.Core.Snapshots.Format;

public sealed partial record PackIndex
{
    /// <summary>The stored form: zstd of <see cref="ToCanonicalJson"/>, and its id.</summary>
    /// <exception cref="ArgumentException">The index breaks a rule of the format.</exception>
    public StoredObject Encode() => new(Zstd.Compress(ToCanonicalJson()));

    /// <summary>The canonical JSON (what <see cref="Encode"/> compresses).</summary>
    /// <exception cref="ArgumentException">The index breaks a rule of the format.</exception>
    public byte[] ToCanonicalJson()
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException("not a valid pack index: " + problem);
        }

        var json = new CanonicalJsonWriter().BeginObject().Name("version").Number(StrictJson.Version).Name("supersedes").BeginArray();
        foreach (var id in _supersedes)
        {
            json.Id(id);
        }

        json.EndArray().Name("packs").BeginArray();
        foreach (var pack in _packs)
        {
            json.BeginObject().Name("id").Id(pack.PackId).Name("chunks").BeginArray();
            foreach (var e in pack.Chunks)
            {
                json.BeginObject().Name("id").Id(e.ChunkId).Name("offset").Number(e.Offset).Name("stored").Number(e.StoredLength)
                    .Name("raw").Number(e.RawLength).Name("compressed").Bool(e.Compressed).EndObject();
            }

            json.EndArray().EndObject();
        }

        return json.EndArray().EndObject().ToArray();
    }

    /// <summary>Decodes a stored index, checking that it hashes to <paramref name="indexId"/>.</summary>
    /// <exception cref="RepositoryFormatException">The index is damaged; the message names it.</exception>
    public static PackIndex Decode(ObjectId indexId, ReadOnlyMemory<byte> stored)
    {
        var name = $"index {indexId}";
        StoredObject.CheckHash(name, indexId, stored.Span);
        return FromCanonicalJson(name, Zstd.Decompress(name, stored, StrictJson.MaxDecompressedLength));
    }

    /// <summary>Decodes the canonical JSON of an index named <paramref name="name"/> (in messages).</summary>
    internal static PackIndex FromCanonicalJson(string name, ReadOnlyMemory<byte> json) =>
        StrictJson.Decode(name, json, Read, index => index.ToCanonicalJson());

    private static PackIndex Read(StrictObject root)
    {
        root.Expect("version", "supersedes", "packs");
        var supersedes = new List<ObjectId>();
        foreach (var (i, item) in root.Array("supersedes"))
        {
            var text = root.StringItem(item, $"supersedes[{i}]");
            if (!ObjectId.TryParse(text, out var id))
            {
                throw root.Fail($"supersedes[{i}] is not {ObjectId.HexLength} lowercase hex digits");
            }

            if (supersedes.Count > 0 && id <= supersedes[^1])
            {
                throw root.Fail($"supersedes[{i}] is not after supersedes[{i - 1}] (ids in order, each once)");
            }

            supersedes.Add(id);
        }

        var packs = new List<IndexedPack>();
        foreach (var (i, item) in root.Array("packs"))
        {
            var pack = ReadPack(root.Item(item, $"packs[{i}]"));
            if (packs.Count > 0 && pack.PackId <= packs[^1].PackId)
            {
                throw root.Fail($"packs[{i}] (pack {pack.PackId}) is not after packs[{i - 1}] (packs in id order, each once)");
            }

            packs.Add(pack);
        }

        var index = new PackIndex(packs, supersedes);
        return index.Problem() is { } problem ? throw root.Fail(problem) : index;
    }

    private static IndexedPack ReadPack(StrictObject pack)
    {
        pack.Expect("id", "chunks");
        var packId = pack.Id("id");
        var chunks = new List<PackEntry>();
        foreach (var (i, item) in pack.Array("chunks"))
        {
            var chunk = pack.Item(item, $"chunks[{i}]").Expect("id", "offset", "stored", "raw", "compressed");
            var entry = new PackEntry(chunk.Id("id"), chunk.Integer("offset", 0, PackFormat.MaxPackLength),
                (int)chunk.Integer("stored", 0, PackFormat.MaxPackLength), (int)chunk.Integer("raw", 0, PackFormat.MaxChunkLength), chunk.Bool("compressed"));
            if (chunks.Count > 0 && entry.Offset <= chunks[^1].Offset)
            {
                throw pack.Fail($"chunks[{i}] is not after chunks[{i - 1}] (chunks in offset order)");
            }

            chunks.Add(entry);
        }

        return new IndexedPack(packId, chunks);
    }
}

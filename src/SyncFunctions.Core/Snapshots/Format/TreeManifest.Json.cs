namespace SyncFunctions.Core.Snapshots.Format;

public sealed partial record TreeManifest
{
    private const string FileType = "file";
    private const string DirectoryType = "dir";

    /// <summary>The stored form: zstd of <see cref="ToCanonicalJson"/>, and its id (the tree id).</summary>
    /// <exception cref="ArgumentException">The tree breaks a rule of the format.</exception>
    public StoredObject Encode() => new(Zstd.Compress(ToCanonicalJson()));

    /// <summary>The canonical JSON (what <see cref="Encode"/> compresses).</summary>
    /// <exception cref="ArgumentException">The tree breaks a rule of the format.</exception>
    public byte[] ToCanonicalJson()
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException("not a valid tree: " + problem);
        }

        var json = new CanonicalJsonWriter().BeginObject().Name("version").Number(StrictJson.Version).Name("entries").BeginArray();
        foreach (var e in _entries)
        {
            json.BeginObject().Name("name").String(e.Name);
            if (e.Kind == TreeEntryKind.File)
            {
                json.Name("type").String(FileType).Name("modified").Time(e.Modified).Name("size").Number(e.Size)
                    .Name("sha256").Id(e.ContentHash!.Value).Name("chunks").BeginArray();
                foreach (var chunk in e.Chunks)
                {
                    json.BeginObject().Name("id").Id(chunk.Id).Name("length").Number(chunk.Length).EndObject();
                }

                json.EndArray();
            }
            else
            {
                json.Name("type").String(DirectoryType).Name("modified").Time(e.Modified).Name("tree").Id(e.Subtree!.Value);
            }

            json.EndObject();
        }

        return json.EndArray().EndObject().ToArray();
    }

    /// <summary>Decodes a stored tree, checking that it hashes to <paramref name="treeId"/>.</summary>
    /// <exception cref="RepositoryFormatException">The tree is damaged; the message names it.</exception>
    public static TreeManifest Decode(ObjectId treeId, ReadOnlyMemory<byte> stored)
    {
        var name = $"tree {treeId}";
        StoredObject.CheckHash(name, treeId, stored.Span);
        return FromCanonicalJson(name, Zstd.Decompress(name, stored, StrictJson.MaxDecompressedLength));
    }

    /// <summary>Decodes the canonical JSON of a tree named <paramref name="name"/> (in messages).</summary>
    internal static TreeManifest FromCanonicalJson(string name, ReadOnlyMemory<byte> json) =>
        StrictJson.Decode(name, json, Read, tree => tree.ToCanonicalJson());

    private static TreeManifest Read(StrictObject root)
    {
        root.Expect("version", "entries");
        var entries = new List<TreeEntry>();
        foreach (var (i, item) in root.Array("entries"))
        {
            var entry = ReadEntry(root.Item(item, $"entry {i}"));
            if (entries.Count > 0 && string.CompareOrdinal(entry.Name, entries[^1].Name) <= 0)
            {
                throw root.Fail($"entry {i} is not after entry {i - 1} (names in ordinal order, each once)");
            }

            entries.Add(entry);
        }

        var tree = new TreeManifest(entries);
        return tree.Problem() is { } problem ? throw root.Fail(problem) : tree;
    }

    private static TreeEntry ReadEntry(StrictObject e)
    {
        var type = e.String("type");
        if (type == FileType)
        {
            e.Expect("name", "type", "modified", "size", "sha256", "chunks");
            var chunks = new List<ChunkRef>();
            foreach (var (i, item) in e.Array("chunks"))
            {
                var chunk = e.Item(item, $"chunks[{i}]").Expect("id", "length");
                chunks.Add(new ChunkRef(chunk.Id("id"), (int)chunk.Integer("length", 1, PackFormat.MaxChunkLength)));
            }

            var file = TreeEntry.File(e.String("name"), e.Time("modified"), e.Id("sha256"), chunks);
            return e.Integer("size", 0, long.MaxValue) == file.Size
                ? file
                : throw e.Fail($"'size' is not the sum of the chunk lengths ({file.Size})");
        }

        if (type == DirectoryType)
        {
            e.Expect("name", "type", "modified", "tree");
            return TreeEntry.Directory(e.String("name"), e.Time("modified"), e.Id("tree"));
        }

        throw e.Fail($"'type' is neither '{FileType}' nor '{DirectoryType}'");
    }
}

using System.Text;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Damaged or non-canonical indexes, trees, snapshots, heads and configs: each reported as what it is.</summary>
public sealed class JsonFormatDamageTests
{
    public static TheoryData<string> CompressedGoldens() => new() { "index-v1.zst", "tree-v1.zst" };

    [Theory]
    [MemberData(nameof(CompressedGoldens))]
    public void Decode_StoredBytesNotHashingToTheirId_IsHashMismatch(string golden)
    {
        var stored = GoldenFiles.Read(golden);
        var id = ObjectId.Of(stored);

        var e = Assert.Throws<RepositoryFormatException>(() => Decode(golden, id, stored[..^1]));

        Assert.Equal(FormatDamage.HashMismatch, e.Damage);
        Assert.StartsWith((golden.StartsWith("index", StringComparison.Ordinal) ? "index " : "tree ") + id + ": content hashes to ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CompressedGoldens))]
    public void Decode_EveryTruncationOfTheCompressedBytes_IsTruncated(string golden)
    {
        var stored = GoldenFiles.Read(golden);

        for (var length = 0; length < stored.Length; length++)
        {
            var cut = stored[..length];

            var e = Assert.Throws<RepositoryFormatException>(() => Decode(golden, ObjectId.Of(cut), cut));

            Assert.True(e.Damage == FormatDamage.Truncated, $"length {length}: {e.Damage}: {e.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(CompressedGoldens))]
    public void Decode_NotAZstdFrame_IsBadMagic(string golden)
    {
        var stored = GoldenFiles.Read(golden);
        stored[0] ^= 0xFF;

        var e = Assert.Throws<RepositoryFormatException>(() => Decode(golden, ObjectId.Of(stored), stored));

        Assert.Equal(FormatDamage.BadMagic, e.Damage);
    }

    [Theory]
    [InlineData("index-v1.json", "\"packs\":[", "\"packs\" : [", "not in canonical form")]
    [InlineData("index-v1.json", "\"compressed\":true", "\"compressed\":1", "'compressed' is not true or false")]
    [InlineData("index-v1.json", "\"offset\":5", "\"offset\":5.0", "'offset' is not an integer")]
    [InlineData("index-v1.json", "{\"version\":1,", "{\"version\":1,\"extra\":0,", "unknown property 'extra'")]
    [InlineData("tree-v1.json", "\"name\":\"empty\"", "\"name\":\"a.txt\"", "names in ordinal order")]
    [InlineData("tree-v1.json", "\"name\":\"Zebra \\\"quoted\\\"\\tline\\n.txt\"", "\"name\":\"..\"", "'..' is not an entry name")]
    [InlineData("tree-v1.json", "\"name\":\"sub\"", "\"name\":\"s/b\"", "has a '/' or NUL")]
    [InlineData("tree-v1.json", "\"type\":\"dir\"", "\"type\":\"symlink\"", "'type' is neither")]
    [InlineData("tree-v1.json", "\"size\":0", "\"size\":1", "'size' is not the sum of the chunk lengths")]
    [InlineData("tree-v1.json", "\"version\":1", "\"version\":1,\"version\":1", "appears twice")]
    [InlineData("tree-v1.json", ".1234567Z", ".123456Z", "is not a UTC time")]
    [InlineData("tree-v1.json", "\"type\":\"file\"", "\"type\":\"fi\\u006ce\"", "not in canonical form")]
    [InlineData("tree-v1.json", "\"entries\":[", "\"entries\":{", "not valid JSON")]
    [InlineData("tree-v1.json", "\"name\":\"sub\"", "\"name\":\"\\ud800\"", "not valid text")]
    public void FromCanonicalJson_JsonBreakingARule_IsMalformedAndSaysWhy(string golden, string find, string replace, string problem)
    {
        var json = Replace(GoldenFiles.Read(golden), find, replace);

        var e = Assert.Throws<RepositoryFormatException>(() => FromJson(golden, json));

        Assert.Equal(FormatDamage.Malformed, e.Damage);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("index-v1.json")]
    [InlineData("tree-v1.json")]
    public void Decode_AnIndexOrTreeOfANewerVersion_IsUnknownVersion(string golden)
    {
        var json = Replace(GoldenFiles.Read(golden), "{\"version\":1,", "{\"version\":2,\"newField\":[],");

        var e = Assert.Throws<RepositoryFormatException>(() => FromJson(golden, json));

        Assert.Equal(FormatDamage.UnknownVersion, e.Damage);
        Assert.EndsWith(": format version 2 is not supported (this build reads version 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_GarbledJsonInAValidFrame_IsMalformed()
    {
        var stored = Zstd.Compress("{\"version\":1,\"entries\":[{]}"u8);

        var e = Assert.Throws<RepositoryFormatException>(() => TreeManifest.Decode(ObjectId.Of(stored), stored));

        Assert.Equal(FormatDamage.Malformed, e.Damage);
    }

    [Fact]
    public void Decode_SnapshotOfANewerVersionOrDamaged_SaysSo()
    {
        var golden = GoldenFiles.Read("snapshot-v1.json");
        var newer = Replace(golden, "\"version\":1", "\"version\":3");
        var negative = Replace(golden, "\"files\":5", "\"files\":-5");
        var cut = golden[..^2];

        Assert.Equal(FormatDamage.HashMismatch, Assert.Throws<RepositoryFormatException>(() => SnapshotRecord.Decode(ObjectId.Of(golden), cut)).Damage);
        Assert.Equal(FormatDamage.UnknownVersion, Assert.Throws<RepositoryFormatException>(() => SnapshotRecord.Decode(ObjectId.Of(newer), newer)).Damage);
        Assert.Equal(FormatDamage.Malformed, Assert.Throws<RepositoryFormatException>(() => SnapshotRecord.Decode(ObjectId.Of(negative), negative)).Damage);
        Assert.Equal(FormatDamage.Malformed, Assert.Throws<RepositoryFormatException>(() => SnapshotRecord.Decode(ObjectId.Of(cut), cut)).Damage);
    }

    [Fact]
    public void Decode_HeadStoredUnderAnotherPair_IsMalformed()
    {
        var head = FormatExamples.Head().Encode();

        var e = Assert.Throws<RepositoryFormatException>(() => SnapshotHead.Decode("ffff", head));

        Assert.Equal(FormatDamage.Malformed, e.Damage);
        Assert.Equal($"head ffff: it names pair {FormatExamples.PairId}", e.Message);
    }

    [Fact]
    public void Decode_ConfigWithBoundsOutOfOrder_IsMalformed()
    {
        var json = Replace(FormatExamples.Config().Encode(), "\"min\":524288", "\"min\":2097152");

        var e = Assert.Throws<RepositoryFormatException>(() => RepositoryConfig.Decode(json));

        Assert.Equal(FormatDamage.Malformed, e.Damage);
        Assert.StartsWith("config: chunker: chunker bounds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_InvalidValues_Throw()
    {
        var file = TreeEntry.File("x", FormatExamples.Time, ObjectId.Of([]), []);

        Assert.Throws<ArgumentException>(() => new TreeManifest([file, file]).Encode());
        Assert.Throws<ArgumentException>(() => new TreeManifest([file with { Name = "." }]).Encode());
        Assert.Throws<ArgumentException>(() => new TreeManifest([file with { Name = "a\0b" }]).Encode());
        Assert.Throws<ArgumentException>(() => new TreeManifest([file with { ContentHash = ObjectId.Of("x"u8) }]).Encode());
        var badHost = FormatExamples.Snapshot() with { Host = "\ud800" };
        Assert.Throws<ArgumentException>(() => badHost.Encode());
        Assert.Throws<ArgumentException>(() => new SnapshotHead(new SnapshotPair("UPPER", null), default, FormatExamples.Time).Encode());
        Assert.Throws<ArgumentException>(() => new RepositoryConfig(default, FormatExamples.Time, new ChunkerParameters(0, 1, 2)).Encode());
    }

    private static object Decode(string golden, ObjectId id, byte[] stored) =>
        golden.StartsWith("index", StringComparison.Ordinal) ? PackIndex.Decode(id, stored) : TreeManifest.Decode(id, stored);

    private static object FromJson(string golden, byte[] json)
    {
        var stored = Zstd.Compress(json);
        return Decode(golden, ObjectId.Of(stored), stored);
    }

    private static byte[] Replace(byte[] json, string find, string replace)
    {
        var text = Encoding.UTF8.GetString(json);
        Assert.Contains(find, text, StringComparison.Ordinal);
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, at), replace, text.AsSpan(at + find.Length)));
    }
}

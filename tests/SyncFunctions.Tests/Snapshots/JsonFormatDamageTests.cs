using System.Text;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Damaged or non-canonical indexes, trees, snapshots, heads and configs: each reported as what it is.</summary>
public sealed class JsonFormatDamageTests
{
    public static TheoryData<string> CompressedGoldens() => new() { "index-v1.zst", "tree-v1.zst", "record-set-v1.zst" };

    [Theory]
    [MemberData(nameof(CompressedGoldens))]
    public void Decode_StoredBytesNotHashingToTheirId_IsHashMismatch(string golden)
    {
        var stored = GoldenFiles.Read(golden);
        var id = ObjectId.Of(stored);

        var e = Assert.Throws<RepositoryFormatException>(() => Decode(golden, id, stored[..^1]));

        Assert.Equal(FormatDamage.HashMismatch, e.Damage);
        Assert.StartsWith(Name(golden) + " " + id + ": content hashes to ", e.Message, StringComparison.Ordinal);
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
    [InlineData("record-set-v1.json", "\"records\":[{\"version\":1,", "\"records\":[{\"version\":2,", "records[0]: 'version' is 2, outside 1..1")]
    [InlineData("record-set-v1.json", "\"records\":[{\"version\":1,", "\"records\":[{\"version\":1,\"extra\":0,", "records[0]: unknown property 'extra'")]
    [InlineData("record-set-v1.json", "\"records\":[{", "\"records\":[7,{", "records[0] is not an object")]
    [InlineData("record-set-v1.json", "\"files\":4", "\"files\": 4", "not in canonical form")]
    [InlineData("record-set-v1.json", "Z\",\"pair\":{\"id\":\"0123456789abcdef0123456789abcdef\",\"name\":\"docs\"},\"source\":\"/srv/docs\",\"host\":\"build-01\",\"tree\":\"9a665bd0ebefa42189e2195b1d40f0863799386519f3622f9624a71d4a285f24\",\"files\":4", "Z\",\"pair\":{\"id\":\"other\",\"name\":\"docs\"},\"source\":\"/srv/docs\",\"host\":\"build-01\",\"tree\":\"9a665bd0ebefa42189e2195b1d40f0863799386519f3622f9624a71d4a285f24\",\"files\":4", "a set is of one pair")]
    [InlineData("record-set-v1.json", "\"records\":[", "\"records\":[],\"x\":[", "unknown property 'x'")]
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
    [InlineData("record-set-v1.json")]
    public void Decode_AnIndexOrTreeOfANewerVersion_IsUnknownVersion(string golden)
    {
        var json = Replace(GoldenFiles.Read(golden), "{\"version\":1,", "{\"version\":2,\"newField\":[],");

        var e = Assert.Throws<RepositoryFormatException>(() => FromJson(golden, json));

        Assert.Equal(FormatDamage.UnknownVersion, e.Damage);
        Assert.EndsWith(": format version 2 is not supported (this build reads version 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RecordSetsOutOfOrderEmptyOrOfTwoPairs_AreMalformed_AndTheConstructorRefusesThem()
    {
        var set = FormatExamples.RecordSet();
        var (a, b) = (set.Records[0], set.Records[1]);
        var text = Encoding.UTF8.GetString(set.ToCanonicalJson());
        var (ja, jb) = (Encoding.UTF8.GetString(a.Record.Encode().Bytes), Encoding.UTF8.GetString(b.Record.Encode().Bytes));
        var swapped = Encoding.UTF8.GetBytes("{\"version\":1,\"records\":[" + jb + "," + ja + "]}");
        var twice = Encoding.UTF8.GetBytes("{\"version\":1,\"records\":[" + ja + "," + ja + "]}");
        Assert.Contains(ja, text, StringComparison.Ordinal);

        Assert.Contains("is not after records[0] (records in snapshot-id order, each once)", Assert.Throws<RepositoryFormatException>(() => FromJson("record-set-v1.json", swapped)).Message, StringComparison.Ordinal);
        Assert.Contains("is not after records[0]", Assert.Throws<RepositoryFormatException>(() => FromJson("record-set-v1.json", twice)).Message, StringComparison.Ordinal);
        Assert.Contains("no records", Assert.Throws<RepositoryFormatException>(() => FromJson("record-set-v1.json", "{\"version\":1,\"records\":[]}"u8.ToArray())).Message, StringComparison.Ordinal);

        var otherPair = b.Record with { Pair = new SnapshotPair("other", null) };
        Assert.Contains("a set is of one pair", Assert.Throws<ArgumentException>(() => new SnapshotRecordSet([a, new StoredSnapshot(otherPair.Encode().Id, otherPair)])).Message, StringComparison.Ordinal);
        Assert.Contains("in it twice", Assert.Throws<ArgumentException>(() => new SnapshotRecordSet([a, a])).Message, StringComparison.Ordinal);
        Assert.Contains("hashes to", Assert.Throws<ArgumentException>(() => new SnapshotRecordSet([new StoredSnapshot(b.Id, a.Record)])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new SnapshotRecordSet([]));
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

    private static object Decode(string golden, ObjectId id, byte[] stored) => golden[..golden.IndexOf('-', StringComparison.Ordinal)] switch
    {
        "index" => PackIndex.Decode(id, stored),
        "tree" => TreeManifest.Decode(id, stored),
        _ => SnapshotRecordSet.Decode(id, stored),
    };

    private static string Name(string golden) => golden[..golden.IndexOf('-', StringComparison.Ordinal)] switch
    {
        "index" => "index",
        "tree" => "tree",
        _ => "snapshot record set",
    };

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

using CsCheck;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>The repository layout's paths and ids.</summary>
public sealed class RepositoryLayoutTests
{
    private static readonly ObjectId Id = ObjectId.Parse("3f2a000000000000000000000000000000000000000000000000000000000001");

    [Fact]
    public void Paths_OfEachKind_FollowTheLayout()
    {
        Assert.Equal("config", RepositoryLayout.ConfigPath);
        Assert.Equal($"packs/3f/{Id}", RepositoryLayout.PackPath(Id));
        Assert.Equal($"index/{Id}", RepositoryLayout.IndexPath(Id));
        Assert.Equal($"trees/3f/{Id}", RepositoryLayout.TreePath(Id));
        Assert.Equal($"snapshots/{Id}", RepositoryLayout.SnapshotPath(Id));
        Assert.Equal("heads/0123456789abcdef0123456789abcdef", RepositoryLayout.HeadPath(FormatExamples.PairId));
    }

    [Fact]
    public void TryParse_EveryPathTheLayoutMakes_GivesItsKindAndIdBack() => FormatGens.Id.Sample(id =>
    {
        foreach (var (path, kind) in new[]
        {
            (RepositoryLayout.PackPath(id), RepositoryObjectKind.Pack),
            (RepositoryLayout.IndexPath(id), RepositoryObjectKind.Index),
            (RepositoryLayout.TreePath(id), RepositoryObjectKind.Tree),
            (RepositoryLayout.SnapshotPath(id), RepositoryObjectKind.Snapshot),
            (RepositoryLayout.RecordSetPath(id), RepositoryObjectKind.RecordSet),
        })
        {
            Assert.True(RepositoryLayout.TryParse(path, out var parsed), path);
            Assert.Equal(new RepositoryPath(kind, id, null), parsed);
        }
    }, iter: 100);

    [Theory]
    [InlineData("config", RepositoryObjectKind.Config)]
    [InlineData("heads/0123456789abcdef0123456789abcdef", RepositoryObjectKind.Head)]
    public void TryParse_ConfigAndHead_AreRecognised(string path, RepositoryObjectKind kind)
    {
        Assert.True(RepositoryLayout.TryParse(path, out var parsed));
        Assert.Equal(kind, parsed.Kind);
    }

    [Theory]
    [InlineData("packs/00/3f2a000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("packs/3f2a000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("trees/3F/3F2A000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("index/3f2a")]
    [InlineData("snapshots/3f2a000000000000000000000000000000000000000000000000000000000001.tmp")]
    [InlineData("heads/")]
    [InlineData("snapshot-sets/3f2a")]
    [InlineData("snapshots/sets/3f2a000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("heads/a/b")]
    [InlineData("configs")]
    [InlineData("")]
    public void TryParse_PathsOutsideTheLayout_AreRefused(string path) => Assert.False(RepositoryLayout.TryParse(path, out _));

    [Theory]
    [InlineData("", false)]
    [InlineData("0123456789abcdef0123456789abcdef", true)]
    [InlineData("my-pair_1", true)]
    [InlineData("Upper", false)]
    [InlineData("a/b", false)]
    [InlineData("..", false)]
    public void ValidatePairId_Ids_AreAcceptedOnlyInTheirAlphabet(string pairId, bool valid) =>
        Assert.Equal(valid, RepositoryLayout.ValidatePairId(pairId) is null);

    [Fact]
    public void ObjectId_TextAndBytes_RoundTripAndOrderLikeTheirHex() => Gen.Select(FormatGens.Id, FormatGens.Id).Sample((a, b) =>
    {
        Assert.Equal(a, ObjectId.Parse(a.ToString()));
        Assert.Equal(a, ObjectId.FromBytes(a.ToByteArray()));
        Assert.Equal(Math.Sign(string.CompareOrdinal(a.ToString(), b.ToString())), Math.Sign(a.CompareTo(b)));
    }, iter: 200);

    [Theory]
    [InlineData("3F2A000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("3f2a")]
    [InlineData("g f2a000000000000000000000000000000000000000000000000000000000001")]
    public void ObjectId_TryParse_RefusesAnythingButLowercaseHexOfFullLength(string text) => Assert.False(ObjectId.TryParse(text, out _));

    [Fact]
    public void MarkPath_ParsesBackAsAMarkWithItsName()
    {
        var path = RepositoryLayout.MarkPath(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "0123456789abcdef");

        Assert.Equal("gc/marks/20260102T030405Z-0123456789abcdef", path);
        Assert.True(RepositoryLayout.TryParse(path, out var parsed));
        Assert.Equal(new RepositoryPath(RepositoryObjectKind.GcMark, default, null, "20260102T030405Z-0123456789abcdef"), parsed);
        Assert.False(RepositoryLayout.TryParse("gc/marks/20260102T030405Z-0123456789ABCDEF", out _));
        Assert.False(RepositoryLayout.TryParse("gc/marks/20261302T030405Z-0123456789abcdef", out _));
        Assert.Throws<ArgumentException>(() => RepositoryLayout.MarkPath(DateTimeOffset.UnixEpoch, "xyz"));
    }
}

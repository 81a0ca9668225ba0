using System.Text;
using System.Text.Json;
using SyncFunctions.Graph.Tests.Infrastructure;
using static SyncFunctions.Graph.Tests.Infrastructure.DeltaTestData;

namespace SyncFunctions.Graph.Tests;

/// <summary>
/// The delta body reader against the oracle it replaced: the SDK's DeltaGetResponse model (Kiota's JSON parse node)
/// mapped by the former DriveItem rules. Same items, same links, however the body is cut into blocks.
/// </summary>
public sealed class DeltaPageSdkEquivalenceTests
{
    public static TheoryData<string> GoldenPages => new() { "next-page.json", "delta-page.json", "odd-shapes.json" };

    [Theory]
    [MemberData(nameof(GoldenPages))]
    public async Task ReadAsync_GoldenPage_EqualsTheSdkModelMapping(string name)
    {
        var body = Page(name);

        var page = await ReadAsync(body);

        AssertSame(ReadThroughSdkModel(body), page);
    }

    [Theory]
    [MemberData(nameof(GoldenPages))]
    public void Parse_BodyCutIntoSmallBlocks_SameAsTheSdkModelMapping(string name)
    {
        var body = Page(name);
        var expected = ReadThroughSdkModel(body);

        foreach (var step in new[] { 1, 2, 3, 7, 64, 1000 })
        {
            AssertSame(expected, ParseInSteps(body, step));
        }
    }

    [Fact]
    public void Parse_OddShapes_ReadsNullsMismatchesDuplicatesAndEscapesLikeTheSdk()
    {
        // The oracle agreeing is the point; these pin what it decided, so a change in either shows here.
        var page = ParseInSteps(Page("odd-shapes.json"), 5);
        var byId = page.Items.ToDictionary(i => i.ItemId, StringComparer.Ordinal);

        Assert.Equal(new Abstractions.ChangeItem { ItemId = "N1" }, byId["N1"]);
        Assert.Equal(new Abstractions.ChangeItem { ItemId = "T1" }, byId["T1"]);
        Assert.True(byId["F1"] is { IsFolder: true, IsDeleted: true, Name: null });
        Assert.True(byId["D1"] is { Name: "second.txt", Size: 2, QuickXorHash: null, ParentId: null });
        Assert.True(byId["D2"] is { Name: "kept.txt", QuickXorHash: "AAA=" });
        Assert.Equal(DateTimeOffset.Parse("2020-01-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), byId["D2"].LastModified);
        Assert.True(byId["E1"] is { Name: "escaped.txt", Size: 3, IsFolder: false });
        Assert.Equal(new DateTimeOffset(2020, 2, 3, 4, 5, 6, TimeSpan.Zero), byId["DT1"].LastModified);
        Assert.Equal(TimeSpan.FromHours(-5.5), byId["DT2"].LastModified.Offset);
        Assert.True(byId["H1"] is { QuickXorHash: "Q==", Sha1: "abcdef", Sha256: "0a1b" });
        Assert.True(byId["H2"] is { QuickXorHash: null, Sha1: null, Sha256: null });
        Assert.Equal("caf\u00e9 \ud83d\ude00\t\"q\".txt", byId["\u00e9\ud83d\ude00"].Name);
        Assert.Equal(long.MaxValue, byId["BIG"].Size);
        Assert.True(byId["NEG"] is { Size: -1, IsFolder: true, IsRoot: false, ParentId: "P-NEG" });
        Assert.Equal("", byId[""].Name);
        Assert.Equal("https://graph.microsoft.com/v1.0/drives/d/root/delta?token=n2", page.NextLink);
        Assert.Null(page.DeltaLink);
    }

    [Theory]
    [InlineData("""{"value":[{"id":"a"}],"value":[{"id":"b"},{"id":"c"}],"@odata.deltaLink":"d"}""")]
    [InlineData("""{"value":[{"id":"a"}],"value":null,"@odata.deltaLink":"d"}""")]
    [InlineData("""{"value":[{"id":"a"}],"value":{"id":"b"},"@odata.deltaLink":"d"}""")]
    [InlineData("""{"value":"none","@odata.deltaLink":"d","@odata.deltaLink":null}""")]
    [InlineData("""{"@odata.nextLink":"n","@odata.nextLink":["x"],"value":[{"id":"a","root":{}}]}""")]
    [InlineData("""{"Value":[{"id":"a"}],"@odata.NextLink":"n","@odata.deltaLink":"d"}""")]
    [InlineData("""{"v\u0061lue":[{"id":"a"}],"@odata.deltaLink":"\u0064"}""")]
    public async Task ReadAsync_OddEnvelope_EqualsTheSdkModelMapping(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        var page = await ReadAsync(bytes);

        AssertSame(ReadThroughSdkModel(bytes), page);
    }

    [Fact]
    public void Parse_NonIntegerSize_ThrowsJsonExceptionLikeTheSdk()
    {
        var body = Encoding.UTF8.GetBytes("""{"value":[{"id":"a","size":2.5}],"@odata.deltaLink":"d"}""");

        Assert.ThrowsAny<JsonException>(() => ReadThroughSdkModel(body));
        Assert.ThrowsAny<JsonException>(() => ParseInSteps(body, 4));
    }

    [Fact]
    public async Task ReadAsync_LargeGeneratedPage_EqualsTheSdkModelMapping()
    {
        var body = DeltaPageReaderTests.GeneratedPage(1000);

        var page = await ReadAsync(body, chunk: 1500);

        AssertSame(ReadThroughSdkModel(body), page);
    }

    private static void AssertSame(DeltaPage expected, DeltaPage? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.NextLink, actual.NextLink);
        Assert.Equal(expected.DeltaLink, actual.DeltaLink);
        Assert.Equal(expected.Items, actual.Items);

        // Record equality compares instants; the offsets must match too.
        Assert.Equal(expected.Items.Select(i => i.LastModified.Offset), actual.Items.Select(i => i.LastModified.Offset));
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
using static SyncFunctions.Graph.Tests.Infrastructure.DeltaTestData;

namespace SyncFunctions.Graph.Tests;

/// <summary>The delta body reader on golden pages shaped like the service's (see graph-protocol.md, section 1).</summary>
public sealed class DeltaPageReaderTests
{
    private const string ReportId = "01D6JQORS2B5PNZKUWAJC3RF6WBXDKJFR3";
    private const string NotebookId = "01D6JQORWWQJ6YNKCOQVBIMQBI7TCGXLX4";
    private const string MappedNameId = "01D6JQORUQ3X6T4LUVRBC2KQ5HM7WZ2NPE";

    [Fact]
    public async Task ReadAsync_NextLinkPage_MapsEveryFieldOfEveryRecordInFeedOrder()
    {
        var page = await ReadAsync(Page("next-page.json"));

        Assert.NotNull(page);
        Assert.Equal(
            "https://graph.microsoft.com/v1.0/drives/b!xA9hqR7mCUqzFpXyMEbK2Q/root/delta?$select=id%2cname&token=MzslMjM0OyUyMzE7MzsyM2YwNDVhMS1lNmRmLTQ1N2MtOGQ5NS1hNmViZDVmZWRhNWQ7NjM2NzExNzY5NDI4MTAwMDAwOzMxODY4ODI2MDslMjM7JTIzOyUyMzA",
            page.NextLink);
        Assert.Null(page.DeltaLink);
        ChangeItem[] expected =
        [
            new()
            {
                ItemId = DriveRootId, ParentId = null, Name = "root", IsFolder = true, IsRoot = true, Size = 157286,
                LastModified = At("2018-11-11T23:06:11Z"),
                ETag = "\"{1C7C9D48-8C5E-4F3B-9C2B-2F6E1B0A4E11},1\"", CTag = "\"c:{1C7C9D48-8C5E-4F3B-9C2B-2F6E1B0A4E11},0\"",
            },
            new()
            {
                // A business folder: no cTag; the file system time wins over the service's.
                ItemId = DocsId, ParentId = DriveRootId, Name = "Docs", IsFolder = true, Size = 28405,
                LastModified = At("2018-04-04T03:40:00Z"), ETag = "\"{5F2C1B39-0D4A-4C3E-8B7F-6A9E2D1C0B48},4\"",
            },
            new()
            {
                ItemId = ReportId, ParentId = DocsId, Name = "report.docx", Size = 28405,
                LastModified = At("2018-11-10T09:30:15.123Z"),
                ETag = "\"{1C7C9D48-0000-4000-8000-0000000000AA},3\"", CTag = "\"c:{1C7C9D48-0000-4000-8000-0000000000AA},2\"",
                QuickXorHash = "aCgDG9jwBhDc4Q1yawMZAAAAAAA=",
                Sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                Sha1 = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
            },
            new()
            {
                // A package (OneNote notebook) holds items: a container without a folder facet.
                ItemId = NotebookId, ParentId = DocsId, Name = "Notebook", IsFolder = true, Size = 4096,
                LastModified = At("2019-01-02T03:04:05Z"),
                ETag = "\"{6A0B2C3D-1111-4222-8333-444455556666},2\"", CTag = "\"c:{6A0B2C3D-1111-4222-8333-444455556666},2\"",
            },
            new()
            {
                // No hashes yet, no fileSystemInfo; the drive's name mapping undone.
                ItemId = MappedNameId, ParentId = DocsId, Name = "a:b?.txt", Size = 12,
                LastModified = At("2020-05-06T07:08:09+02:00"),
                ETag = "\"{7B1C3D4E-2222-4333-8444-555566667777},1\"", CTag = "\"c:{7B1C3D4E-2222-4333-8444-555566667777},1\"",
            },
            new()
            {
                // The same item again (renamed, new content): both reports are kept in order; the last one wins downstream.
                ItemId = ReportId, ParentId = DocsId, Name = "report (final).docx", Size = 30001,
                LastModified = At("2018-11-12T09:59:58Z"),
                ETag = "\"{1C7C9D48-0000-4000-8000-0000000000AA},5\"", CTag = "\"c:{1C7C9D48-0000-4000-8000-0000000000AA},4\"",
                QuickXorHash = "bDhEH0kxCiEd5R2zbxNaBBBBBBB=",
            },
        ];
        Assert.Equal(expected, page.Items);
        Assert.Equal(TimeSpan.FromHours(2), page.Items[4].LastModified.Offset);
    }

    [Fact]
    public async Task ReadAsync_DeltaLinkPage_MapsDeletesAndFallbacks()
    {
        var page = await ReadAsync(Page("delta-page.json"));

        Assert.NotNull(page);
        Assert.Null(page.NextLink);
        Assert.Equal(
            "https://graph.microsoft.com/v1.0/drives/b!xA9hqR7mCUqzFpXyMEbK2Q/root/delta?token=MzslMjM0OyUyMzE7MzsyM2YwNDVhMS1lNmRmLTQ1N2MtOGQ5NS1hNmViZDVmZWRhNWQ7NjM2NzExNzY5NDI4MTAwMDAwOzMxODY4ODI2MTslMjM7JTIzOyUyMzA",
            page.DeltaLink);
        ChangeItem[] expected =
        [
            new()
            {
                ItemId = DriveRootId, Name = "root", IsFolder = true, IsRoot = true, Size = 127285,
                LastModified = At("2018-11-13T00:00:00Z"), ETag = "\"{1C7C9D48-8C5E-4F3B-9C2B-2F6E1B0A4E11},2\"",
            },
            new()
            {
                // A business delete: only id, deleted and parentReference.
                ItemId = MappedNameId, ParentId = DocsId, IsDeleted = true, LastModified = DateTimeOffset.MinValue,
            },
            new()
            {
                // A consumer delete keeps name and facets: the name is dropped, the kind kept.
                ItemId = NotebookId, ParentId = DocsId, IsFolder = true, IsDeleted = true,
                LastModified = At("2018-11-13T00:00:01Z"), ETag = "\"{6A0B2C3D-1111-4222-8333-444455556666},3\"",
            },
            new()
            {
                ItemId = "01D6JQORX7V3QKQ2P7NJFZ5JGZ6ZKT4QJQ", ParentId = DriveRootId, IsFolder = true, IsDeleted = true,
                LastModified = DateTimeOffset.MinValue,
            },
            new()
            {
                ItemId = "01D6JQORY3MFYQ3MBKQNC2B3EEOXU7IB4E", ParentId = DocsId, Name = "photo.jpg", Size = 3145728,
                LastModified = At("2021-07-08T09:10:11Z"),
                ETag = "\"{8C2D4E5F-3333-4444-8555-666677778888},1\"", CTag = "\"c:{8C2D4E5F-3333-4444-8555-666677778888},1\"",
                Sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            },
        ];
        Assert.Equal(expected, page.Items);
    }

    [Fact]
    public async Task ReadAsync_StoreRootedAtAFolder_ThatFolderIsTheRootWithoutParent()
    {
        var page = await ReadAsync(Page("next-page.json"), rootFolderId: DocsId);

        Assert.NotNull(page);
        var docs = Assert.Single(page.Items, i => i.ItemId == DocsId);
        Assert.True(docs.IsRoot);
        Assert.Null(docs.ParentId);
        var driveRoot = Assert.Single(page.Items, i => i.ItemId == DriveRootId);
        Assert.False(driveRoot.IsRoot);
        Assert.True(driveRoot.IsFolder);
        Assert.All(page.Items.Where(i => i.ItemId is not DocsId and not DriveRootId), i => Assert.Equal(DocsId, i.ParentId));
    }

    [Theory]
    [InlineData("""{"value":[],"@odata.deltaLink":"https://g/v1.0/drives/d/root/delta?token=latest1"}""", null, "https://g/v1.0/drives/d/root/delta?token=latest1")]
    [InlineData("""{"@odata.nextLink":"https://g/v1.0/drives/d/root/delta?token=n","value":[]}""", "https://g/v1.0/drives/d/root/delta?token=n", null)]
    [InlineData("""  {"value":[]}  """, null, null)]
    [InlineData("""[{"id":"x"}]""", null, null)]
    public async Task ReadAsync_PageWithoutRecords_ReturnsTheLinksItHas(string body, string? nextLink, string? deltaLink)
    {
        var page = await ReadAsync(Encoding.UTF8.GetBytes(body));

        Assert.NotNull(page);
        Assert.Empty(page.Items);
        Assert.Equal(nextLink, page.NextLink);
        Assert.Equal(deltaLink, page.DeltaLink);
    }

    [Fact]
    public async Task ReadAsync_EmptyBody_ReturnsNull()
    {
        Assert.Null(await ReadAsync([]));
    }

    [Theory]
    [InlineData("""{"value":[{"name":"no id"}],"@odata.deltaLink":"d"}""")]
    [InlineData("""{"value":[{"id":null}],"@odata.deltaLink":"d"}""")]
    [InlineData("""{"value":[{"id":7}],"@odata.deltaLink":"d"}""")]
    [InlineData("""{"value":[null],"@odata.deltaLink":"d"}""")]
    public async Task ReadAsync_RecordWithoutId_ThrowsPermanent(string body)
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => ReadAsync(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(StorageErrorKind.Permanent, error.Kind);
    }

    [Theory]
    [InlineData("""{"value":[{"id":"a"}""")]
    [InlineData("""{"value":[{"id":"a"}],"@odata.deltaLink":"d"}{}""")]
    [InlineData("""{"value":[{"id":"a",}],"@odata.deltaLink":"d"}""")]
    [InlineData("""{"value":[{"id":"a","size":1.5}],"@odata.deltaLink":"d"}""")]
    [InlineData("   ")]
    public async Task ReadAsync_MalformedBody_ThrowsJsonException(string body)
    {
        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAsync(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public async Task ReadAsync_TrickledBodyLargerThanTheBuffer_SameAsReadAtOnce()
    {
        var body = GeneratedPage(3000);
        var stream = new TricklingStream(body, 1000);

        var trickled = await DeltaPageReader.ReadAsync(stream, DriveRootId, CancellationToken.None);
        var whole = await ReadAsync(body);

        Assert.True(body.Length > 512 * 1024, $"the page is {body.Length} bytes");
        Assert.True(stream.Reads > body.Length / 1000);
        Assert.NotNull(trickled);
        Assert.Equal(3000, trickled.Items.Count);
        Assert.Equal(whole!.Items, trickled.Items);
        Assert.Equal("f2999.bin", trickled.Items[^1].Name);
        Assert.Equal("next", trickled.NextLink);
    }

    [Fact]
    public async Task ReadAsync_RecordLargerThanTheBuffer_GrowsTheBufferAndReadsIt()
    {
        var huge = new string('x', 300_000);
        var body = Encoding.UTF8.GetBytes(
            $$"""{"value":[{"id":"a","description":"{{huge}}","name":"after.txt","tags":[{{string.Join(',', Enumerable.Repeat("{\"k\":[1,2,3]}", 20_000))}}],"size":5},{"id":"b"}],"@odata.deltaLink":"d"}""");

        var page = await ReadAsync(body, chunk: 4096);

        Assert.NotNull(page);
        Assert.Equal(["a", "b"], page.Items.Select(i => i.ItemId));
        Assert.Equal("after.txt", page.Items[0].Name);
        Assert.Equal(5, page.Items[0].Size);
        Assert.Equal("d", page.DeltaLink);
    }

    /// <summary>A page of <paramref name="count"/> file records like the loopback server's, with a nextLink.</summary>
    internal static byte[] GeneratedPage(int count)
    {
        const string Record = """
            {"id":"01ITEM#ID","name":"f#I.bin","eTag":"\"{01ITEM#ID},1\"","cTag":"\"c:{01ITEM#ID},1\"",
            "size":#SIZE,"lastModifiedDateTime":"2026-11-23T21:14:46Z","createdBy":{"user":{"displayName":"Ada"}},
            "parentReference":{"driveType":"business","driveId":"b!drive","id":"01PARENT#P"},
            "fileSystemInfo":{"createdDateTime":"2026-11-23T21:14:46Z","lastModifiedDateTime":"2026-11-23T21:1#D:00Z"},
            "file":{"mimeType":"application/octet-stream","hashes":{"quickXorHash":"AAAAAAAAAAAAAAAAAAAAAA#DAAAA="}}}
            """;
        var text = new StringBuilder("""{"@odata.context":"https://g/v1.0/$metadata#Collection(driveItem)","value":[""");
        for (var i = 0; i < count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(Record
                .Replace("#ID", i.ToString("D10", CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("#I", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("#SIZE", (i * 17L).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("#P", (i % 7).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("#D", (i % 10).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        text.Append("""],"@odata.nextLink":"next"}""");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}

using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Graph.Drives.Item.Items.Item.Delta;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Serialization.Json;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph.Tests.Infrastructure;

/// <summary>Golden delta pages (TestData/Delta) and ways to read them.</summary>
internal static class DeltaTestData
{
    /// <summary>The drive root's id in the golden pages.</summary>
    public const string DriveRootId = "01D6JQORV6Y2GOVW7725BZO354PWSELRRZ";

    /// <summary>The "Docs" folder's id in the golden pages.</summary>
    public const string DocsId = "01D6JQORTL5MGNQ2UZJBDZ3ZB3CHWPD5VX";

    /// <summary>The bytes of TestData/Delta/<paramref name="name"/> (read from the sources: the csproj copies nothing).</summary>
    public static byte[] Page(string name) => File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(SourceFile())!, "..", "TestData", "Delta", name));

    /// <summary>Reads <paramref name="body"/> with the parser under test through a stream.</summary>
    public static Task<DeltaPage?> ReadAsync(byte[] body, string rootFolderId = DriveRootId, int? chunk = null) =>
        DeltaPageReader.ReadAsync(chunk is { } size ? new TricklingStream(body, size) : new MemoryStream(body), rootFolderId, CancellationToken.None);

    /// <summary>
    /// Feeds <paramref name="body"/> to the parser <paramref name="step"/> bytes at a time, passing back what it did not
    /// consume each time, so every record is cut at many places.
    /// </summary>
    public static DeltaPage ParseInSteps(byte[] body, int step, string rootFolderId = DriveRootId)
    {
        var parser = new DeltaPageParser(rootFolderId);
        var pending = new List<byte>();
        for (var at = 0; at < body.Length; at += step)
        {
            pending.AddRange(body.AsSpan(at, Math.Min(step, body.Length - at)));
            var consumed = parser.Parse(pending.ToArray(), isFinalBlock: false);
            pending.RemoveRange(0, consumed);
        }

        parser.Parse(pending.ToArray(), isFinalBlock: true);
        return parser.Page;
    }

    /// <summary>
    /// The oracle: the page as the SDK's model reads it (DeltaGetResponse through Kiota's JSON parse node), mapped by
    /// the rules DriveItems.ToChangeItem applied to that model before delta pages were read without it.
    /// </summary>
    public static DeltaPage ReadThroughSdkModel(byte[] body, string rootFolderId = DriveRootId)
    {
        using var document = JsonDocument.Parse(body);
        var response = new JsonParseNode(document.RootElement).GetObjectValue(DeltaGetResponse.CreateFromDiscriminatorValue);
        var items = (response.Value ?? []).Select(item => SdkModelToChangeItem(item, rootFolderId)).ToList();
        return new DeltaPage(items, response.OdataNextLink, response.OdataDeltaLink);
    }

    private static ChangeItem SdkModelToChangeItem(DriveItem item, string rootFolderId)
    {
        var hashes = item.File?.Hashes;
        var isRoot = item.Id == rootFolderId;
        return new ChangeItem
        {
            ItemId = item.Id ?? throw new StorageException(StorageErrorKind.Permanent, "Graph returned a delta item without an id."),
            ParentId = isRoot ? null : item.ParentReference?.Id,
            Name = item.Deleted is not null || item.Name is null ? null : GraphNameMapping.FromDriveName(item.Name),
            IsFolder = item.Folder is not null || item.Root is not null || item.Package is not null,
            IsRoot = isRoot,
            IsDeleted = item.Deleted is not null,
            Size = item.Size ?? 0,
            LastModified = item.FileSystemInfo?.LastModifiedDateTime ?? item.LastModifiedDateTime ?? DateTimeOffset.MinValue,
            ETag = item.ETag,
            CTag = item.CTag,
            QuickXorHash = hashes?.QuickXorHash,
            Sha256 = hashes?.Sha256Hash?.ToLowerInvariant(),
            Sha1 = hashes?.Sha1Hash?.ToLowerInvariant(),
        };
    }

    private static string SourceFile([CallerFilePath] string path = "") => path;
}

/// <summary>A read-only stream that hands out at most a few bytes per read, like a slow network.</summary>
internal sealed class TricklingStream(byte[] data, int chunk) : ReadOnlyTestStream
{
    private int _position;

    public int Reads { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Reads++;
        var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));
}

/// <summary>The members every read-only, forward-only test stream has in common.</summary>
internal abstract class ReadOnlyTestStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

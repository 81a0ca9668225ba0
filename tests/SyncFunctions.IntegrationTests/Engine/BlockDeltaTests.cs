using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using SyncFunctions.Abstractions;
using SyncFunctions.Azure;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Core.Stores;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Engine;

/// <summary>
/// Block-level delta into a Blob mirror on Azurite: a large file is staged as content-defined blocks, and a changed
/// file sends only the blocks its committed version lacks. Counted from the committed block lists.
/// </summary>
[Collection("azurite")]
public sealed class BlockDeltaTests(AzuriteFixture azurite) : IDisposable
{
    private const int Mib = 1 << 20;

    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-delta-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static SyncOptions Options => new() { Parallel = 4 };

    public static TheoryData<int> RangeSpans => new() { 4, 1000 };

    /// <summary>
    /// 1 MiB rewritten in the middle of a 64 MiB file: the second run stages exactly the blocks of the new version its
    /// committed version lacks (cut here by the same layout), a small part of the file, and commits the others by id;
    /// the committed block list is the new version's cut and the blob is byte-identical. With ranges of 4 chunks the
    /// file fans out over workers (each cuts its 16 MiB segment); with 1,000 one worker streams it in one segment.
    /// </summary>
    [Theory]
    [MemberData(nameof(RangeSpans))]
    public async Task Sync_EditInPlaceInLargeFile_SendsOnlyTheBlocksItsCommittedVersionLacks(int chunksPerRange)
    {
        var (dir, container, blob) = Setup("edit");
        var content = Random(64 * Mib, seed: 1);
        var original = (byte[])content.Clone();
        await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), content);
        var first = await SyncAsync(dir, container, chunksPerRange);
        var before = await CommittedAsync(blob);

        new Random(2).NextBytes(content.AsSpan(31 * Mib, Mib));
        await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), content);
        var second = await SyncAsync(dir, container, chunksPerRange);
        var after = await CommittedAsync(blob);

        var segment = Options.ChunkSize * Math.Min(chunksPerRange, 1000);
        var (oldCut, newCut) = (await ContentBlockCut.OfAsync(original, segment), await ContentBlockCut.OfAsync(content, segment));
        var oldIds = oldCut.Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
        var expected = newCut.Where(b => !oldIds.Contains(b.Id)).DistinctBy(b => b.Id).Sum(b => (long)b.Length);
        Assert.Equal(RunOutcome.Succeeded, first.Outcome);
        Assert.Equal(64L * Mib, first.BytesTransferred);
        Assert.Equal(oldCut.Select(b => b.Id), before.Select(b => b.Name));
        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.Equal(newCut.Select(b => b.Id), after.Select(b => b.Name));
        var old = before.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(expected, after.Where(b => !old.Contains(b.Name)).DistinctBy(b => b.Name).Sum(b => b.SizeLong));
        Assert.Equal(expected, second.BytesTransferred);
        Assert.InRange(expected, Mib, content.Length / 4);
        Assert.Equal((64L * Mib) - expected, second.UnchangedBytes);
        Assert.Equal(content, await DownloadAsync(blob));
    }

    /// <summary>
    /// 100 bytes inserted near the start shift everything after them: content-defined cuts find their boundaries
    /// again, so only the blocks around the insertion and at the segments' forced ends are sent, not the file.
    /// </summary>
    [Fact]
    public async Task Sync_InsertionInLargeFile_SendsAFractionOfTheFile()
    {
        var (dir, container, blob) = Setup("insert");
        var content = Random(48 * Mib, seed: 3);
        await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), content);
        await SyncAsync(dir, container, chunksPerRange: 4);

        var shifted = content[..(5 * Mib)].Concat(Random(100, seed: 4)).Concat(content[(5 * Mib)..]).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), shifted);
        var second = await SyncAsync(dir, container, chunksPerRange: 4);

        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.True(second.BytesTransferred < shifted.Length / 2, $"sent {second.BytesTransferred} of {shifted.Length} bytes");
        Assert.Equal(shifted, await DownloadAsync(blob));
    }

    /// <summary>With content-defined blocks off, the fixed layout is used: the edited file is sent whole.</summary>
    [Fact]
    public async Task Sync_ContentDefinedBlocksOff_SendsTheWholeChangedFile()
    {
        var (dir, container, blob) = Setup("fixed");
        var content = Random(24 * Mib, seed: 5);
        await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), content);
        await SyncAsync(dir, container, chunksPerRange: 4, contentDefined: false);
        content[12 * Mib] ^= 0xFF;
        await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), content);

        var second = await SyncAsync(dir, container, chunksPerRange: 4, contentDefined: false);

        Assert.Equal(24L * Mib, second.BytesTransferred);
        Assert.Equal(0, second.UnchangedBytes);
        Assert.Equal(content, await DownloadAsync(blob));
    }

    /// <summary>A file of repeated content stages each distinct block once; the block list names it again and again.</summary>
    [Fact]
    public async Task Sync_RepeatedContent_StagesEachDistinctBlockOnce()
    {
        var (dir, container, blob) = Setup("repeat");
        var part = Random(4 * Mib, seed: 6);
        var content = Enumerable.Repeat(part, 6).SelectMany(p => p).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), content);

        var summary = await SyncAsync(dir, container, chunksPerRange: 1000);

        var blocks = await CommittedAsync(blob);
        Assert.Equal(RunOutcome.Succeeded, summary.Outcome);
        Assert.True(blocks.Count > blocks.Select(b => b.Name).Distinct().Count(), "the block list repeats no block");
        Assert.Equal(blocks.DistinctBy(b => b.Name).Sum(b => b.SizeLong), summary.BytesTransferred);
        Assert.Equal(content, await DownloadAsync(blob));
    }

    private readonly string _tables = AzuriteFixture.NewTablePrefix();

    private (string Dir, string Container, BlockBlobClient Blob) Setup(string name)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        var container = AzuriteFixture.NewContainerName(name);
        var client = new BlobContainerClient(azurite.ConnectionString, container).GetBlockBlobClient("big.bin");
        return (dir, container, client);
    }

    private async Task<RunSummary> SyncAsync(string dir, string container, int chunksPerRange, bool contentDefined = true)
    {
        var connection = azurite.Connect();
        var destination = BlobObjectStore.Create(connection, container);
        var ledger = TableLedger.Create(connection, _tables);
        var settings = StepSettings.Default with { ChunksPerRange = chunksPerRange, ContentDefinedBlocks = contentDefined };
        var env = new EngineEnvironment(TimeProvider.System, new OwnerIdentity("it", Environment.ProcessId, DateTimeOffset.UnixEpoch), new AlwaysAlive(), Settings: settings);
        var source = new LocalFolderStore(dir, TimeProvider.System);
        var pair = new PairRecord(PairIdentity.Compute(source.DisplayName, container), source.DisplayName, container);
        return await InProcessDriver.WithRetries(ledger, source, destination, env).SyncAsync(pair, Options, default);
    }

    private static async Task<List<BlobBlock>> CommittedAsync(BlockBlobClient blob) =>
        [.. (await blob.GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks];

    private static async Task<byte[]> DownloadAsync(BlockBlobClient blob) =>
        (await blob.DownloadContentAsync()).Value.Content.ToArray();

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

using System.Text;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>The resumable-writer contract (partial files that survive a crash).</summary>
public abstract partial class ObjectStoreConformance
{
    [Fact]
    public async Task ResumableWriter_AppendsThenCommit_ProducesTheWholeFile()
    {
        if (await ResumableStoreAsync() is not ({ } store, { } resumable))
        {
            return;
        }

        Assert.Equal(0, await resumable.GetPartialLengthAsync("d/f", "v1", Ct));
        await resumable.AppendPartialAsync("d/f", "v1", 0, Text("hello"), Ct);
        await resumable.AppendPartialAsync("d/f", "v1", 5, Text(" world"), Ct);
        Assert.Equal(11, await resumable.GetPartialLengthAsync("d/f", "v1", Ct));

        var result = await resumable.CommitPartialAsync("d/f", "v1", new WriteOptions(IfNoneMatch: true), Ct);

        Assert.Equal("hello world", await ReadTextAsync(store, "d/f"));
        Assert.Equal(result.ETag, (await store.GetInfoAsync("d/f", Ct))!.Version);
        Assert.Equal(0, await resumable.GetPartialLengthAsync("d/f", "v1", Ct));
    }

    [Fact]
    public async Task ResumableWriter_AppendAtEarlierOffset_TruncatesTheRest()
    {
        if (await ResumableStoreAsync() is not ({ } store, { } resumable))
        {
            return;
        }

        await resumable.AppendPartialAsync("f", "v1", 0, Text("abcdefgh"), Ct);
        await resumable.AppendPartialAsync("f", "v1", 3, Text("XY"), Ct);
        await resumable.CommitPartialAsync("f", "v1", new WriteOptions(), Ct);

        Assert.Equal("abcXY", await ReadTextAsync(store, "f"));
    }

    [Fact]
    public async Task ResumableWriter_OtherSourceVersion_StartsOver()
    {
        if (await ResumableStoreAsync() is not ({ } store, { } resumable))
        {
            return;
        }

        await resumable.AppendPartialAsync("f", "v1", 0, Text("old bytes"), Ct);

        Assert.Equal(0, await resumable.GetPartialLengthAsync("f", "v2", Ct));
        Assert.Equal(0, await resumable.GetPartialLengthAsync("f", "v1", Ct));
        await resumable.AppendPartialAsync("f", "v2", 0, Text("new"), Ct);
        await resumable.CommitPartialAsync("f", "v2", new WriteOptions(), Ct);
        Assert.Equal("new", await ReadTextAsync(store, "f"));
    }

    [Fact]
    public async Task ResumableWriter_PartialFiles_AreNeverListed()
    {
        if (await ResumableStoreAsync() is not ({ } store, { } resumable))
        {
            return;
        }

        await WriteAsync(store, "d/done", "x");
        await resumable.AppendPartialAsync("d/f", "v1", 0, Text("partial"), Ct);
        await resumable.AppendPartialAsync("top", "v1", 0, Text("partial"), Ct);

        Assert.Equal(["d/done"], await ListPathsAsync(store));
        Assert.Null(await store.GetInfoAsync("d/f", Ct));
    }

    [Fact]
    public async Task ResumableWriter_CommitIfNoneMatchWhenExists_ThrowsPreconditionFailed()
    {
        if (await ResumableStoreAsync() is not ({ } store, { } resumable))
        {
            return;
        }

        await WriteAsync(store, "f", "someone else's");
        await resumable.AppendPartialAsync("f", "v1", 0, Text("mine"), Ct);

        var error = await Assert.ThrowsAsync<StorageException>(() => resumable.CommitPartialAsync("f", "v1", new WriteOptions(IfNoneMatch: true), Ct));

        Assert.Equal(StorageErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal("someone else's", await ReadTextAsync(store, "f"));
    }

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private async Task<(IObjectStore Store, IResumableWriter Resumable)?> ResumableStoreAsync()
    {
        var store = await CreateStoreAsync();
        Assert.Equal(HasResumableWriter, store is IResumableWriter);
        return store is IResumableWriter resumable ? (store, resumable) : null;
    }
}

using SyncFunctions.Abstractions;
using SyncFunctions.Core.Observe;

namespace SyncFunctions.Tests.Engine;

public sealed class PrefetchTests
{
    private static async IAsyncEnumerable<int> Numbers(int count, Exception? failAtEnd = null)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }

        if (failAtEnd is not null)
        {
            throw failAtEnd;
        }
    }

    [Fact]
    public async Task AheadAsync_SmallBuffer_YieldsEveryItemInOrder()
    {
        var items = await Prefetch.AheadAsync(Numbers(5000), 7).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 5000), items);
    }

    [Fact]
    public async Task AheadAsync_SourceFails_RethrowsTheSourceExceptionItself()
    {
        var error = new StorageException(StorageErrorKind.NotFound, "source folder /x does not exist");

        var thrown = await Assert.ThrowsAsync<StorageException>(async () => await Prefetch.AheadAsync(Numbers(3, error), 2).ToListAsync());

        Assert.Same(error, thrown);
    }

    [Fact]
    public async Task AheadAsync_ConsumerStopsEarly_EndsWithoutError()
    {
        var first = await Prefetch.AheadAsync(Numbers(100_000), 10).Take(3).ToListAsync();

        Assert.Equal([0, 1, 2], first);
    }
}

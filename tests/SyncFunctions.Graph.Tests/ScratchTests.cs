using SyncFunctions.Abstractions;
using SyncFunctions.Graph.Tests.Infrastructure;
namespace SyncFunctions.Graph.Tests;
public sealed class ScratchTests(GraphServerFixture fixture) : IClassFixture<GraphServerFixture>
{
    [Fact]
    public async Task Scratch()
    {
        var store = fixture.NewStore();
        var e = await Assert.ThrowsAsync<StorageException>(() => store.OpenReadAsync("missing", 0, null, CancellationToken.None));
        Assert.Fail(e.ToString());
    }
}

using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Tests.Planning;

/// <summary>Examples of the streaming merge in <see cref="Planner.PlanAsync"/>.</summary>
public sealed class PlannerMergeTests
{
    private static readonly DateTimeOffset T1 = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PlanAsync_MixedStreams_EmitsOneItemPerPathNeedingWorkInOrdinalOrder()
    {
        var source = Listing(File("a-b"), File("a/x"), File("same"), File("z", size: 9));
        var baseline = Rows(Row("a/gone"), Row("same"), Row("z"));

        var plan = await Plan(source, baseline, null);

        Assert.Equal(
            [("a-b", ActionKind.Upload), ("a/gone", ActionKind.Delete), ("a/x", ActionKind.Upload), ("z", ActionKind.Upload)],
            plan.Select(i => (i.Path, i.Action!.Kind)));
    }

    [Fact]
    public async Task PlanAsync_SourceInPerDirectoryOrder_ThrowsNamingTheStreamAndBothPaths()
    {
        // A per-directory walk yields "a/x" before "a-b"; ordinal order of the full path does not.
        var source = Listing(File("a/x"), File("a-b"));

        var error = await Assert.ThrowsAsync<OutOfOrderException>(() => Plan(source, Rows(), null));

        Assert.Equal(("source", "a/x", "a-b"), (error.Stream, error.PreviousPath, error.Path));
        Assert.Contains("'a-b' came after 'a/x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanAsync_DuplicateBaselineRow_ThrowsOutOfOrder()
    {
        var error = await Assert.ThrowsAsync<OutOfOrderException>(() => Plan(Listing(), Rows(Row("a"), Row("a")), null));

        Assert.Equal("baseline", error.Stream);
    }

    [Fact]
    public async Task PlanAsync_DestinationOutOfOrder_ThrowsOutOfOrder()
    {
        var error = await Assert.ThrowsAsync<OutOfOrderException>(() => Plan(Listing(), Rows(), Listing(File("b"), File("a"))));

        Assert.Equal("destination", error.Stream);
    }

    [Fact]
    public async Task PlanAsync_SkippedSourceFile_IsReportedAndNeverDeletedOrUploaded()
    {
        var source = Listing(ListingEntry.Skip("locked", "permission denied"), File("ok"));
        var baseline = Rows(Row("locked"), Row("ok"));

        var plan = await Plan(source, baseline, Listing(File("locked", version: "\"e1\""), File("ok", version: "\"e1\"")));

        var item = Assert.Single(plan);
        Assert.Equal(new SkippedObject("locked", "permission denied"), item.Skipped);
    }

    [Fact]
    public async Task PlanAsync_SkippedDirectory_ProtectsEverythingBelowIt()
    {
        var source = Listing(ListingEntry.Skip("d/", "directory cannot be read (permission denied)"), File("e"));
        var baseline = Rows(Row("d-x"), Row("d/a"), Row("d/b/c"), Row("e"), Row("f"));

        var plan = await Plan(source, baseline, null);

        Assert.Equal(["d-x", "d/", "f"], plan.Select(i => i.Path));
        Assert.Equal([ActionKind.Delete, ActionKind.Delete], plan.Where(i => i.Action is not null).Select(i => i.Action!.Kind));
    }

    [Fact]
    public async Task PlanAsync_SkippedDestinationEntry_IsTreatedAsAnUnknownObject()
    {
        var plan = await Plan(Listing(File("n")), Rows(), Listing(ListingEntry.Skip("n", "bad name")));

        var action = Assert.Single(plan).Action!;
        Assert.Equal((ActionKind.Upload, null, "destination exists", false), (action.Kind, action.ExpectedDestETag, action.Reason, action.VerifyHashFirst));
    }

    [Fact]
    public async Task PlanAsync_DestinationListed_ForeignObjectsAreLeftAlone()
    {
        var plan = await Plan(Listing(File("a")), Rows(Row("a")), Listing(File("a", version: "\"e1\""), File("foreign")));

        Assert.Empty(plan);
    }

    [Fact]
    public async Task PlanAsync_EndlessSource_StreamsWithoutReadingAhead()
    {
        var taken = new List<PlanItem>();
        await foreach (var item in Planner.PlanAsync(Endless(), Rows(), null, CancellationToken.None))
        {
            taken.Add(item);
            if (taken.Count == 5)
            {
                break;
            }
        }

        Assert.Equal(["f0000000", "f0000001", "f0000002", "f0000003", "f0000004"], taken.Select(i => i.Path));
    }

    [Fact]
    public async Task PlanAsync_Cancelled_StopsWithOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await Planner.PlanAsync(Listing(File("a")), Rows(), null, cts.Token).ToListAsync());
    }

    private static Task<List<PlanItem>> Plan(IAsyncEnumerable<ListingEntry> source, IAsyncEnumerable<BaselineEntry> baseline, IAsyncEnumerable<ListingEntry>? destination) =>
        Planner.PlanAsync(source, baseline, destination, CancellationToken.None).ToListAsync().AsTask();

    private static ListingEntry File(string path, long size = 5, string? version = "v1") =>
        ListingEntry.Of(new ObjectInfo(path, size, T1, version));

    private static BaselineEntry Row(string path) => new()
    {
        PairId = "p",
        Path = path,
        Size = 5,
        LastModified = T1,
        SourceVersion = "v1",
        DestETag = "\"e1\"",
    };

    private static IAsyncEnumerable<ListingEntry> Listing(params ListingEntry[] entries) => entries.ToAsyncEnumerable();

    private static IAsyncEnumerable<BaselineEntry> Rows(params BaselineEntry[] rows) => rows.ToAsyncEnumerable();

    private static async IAsyncEnumerable<ListingEntry> Endless([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return File($"f{i:D7}");
        }
    }
}

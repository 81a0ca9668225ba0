using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Tests.Planning;

/// <summary>One example per rule of <see cref="Planner.Decide"/>.</summary>
public sealed class PlannerDecideTests
{
    private static readonly DateTimeOffset T1 = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddMinutes(5);
    private static readonly string HashA = new('a', 64);
    private static readonly string HashB = new('b', 64);

    [Fact]
    public void Decide_NewPathDestinationAbsent_UploadsWithIfNoneMatch()
    {
        var action = Planner.Decide(Src(10), null, null, destinationListed: true);

        AssertUpload(action, expectedETag: null, verify: false, known: null, reason: "new");
    }

    [Fact]
    public void Decide_NewPathNotListed_UploadsWithIfNoneMatch()
    {
        AssertUpload(Planner.Decide(Src(10), null, null, destinationListed: false), null, false, null, "new");
    }

    [Fact]
    public void Decide_NewPathDestinationHoldsHashedObject_UploadsVerifyingTheDestinationHash()
    {
        var action = Planner.Decide(Src(10), null, Dst(10, "\"d1\"", HashA), destinationListed: true);

        AssertUpload(action, expectedETag: null, verify: true, known: HashA, reason: "destination exists");
    }

    [Fact]
    public void Decide_NewPathDestinationHoldsUnhashedObject_UploadsWithIfNoneMatchOnly()
    {
        var action = Planner.Decide(Src(10), null, Dst(10, "\"d1\"", null), destinationListed: true);

        AssertUpload(action, expectedETag: null, verify: false, known: null, reason: "destination exists");
    }

    [Fact]
    public void Decide_UnchangedAndDestinationMatches_DoesNothing()
    {
        Assert.Null(Planner.Decide(Src(10), Base(10), Dst(10, "\"e1\"", HashA), destinationListed: true));
    }

    [Fact]
    public void Decide_UnchangedAndNotListed_DoesNothing()
    {
        Assert.Null(Planner.Decide(Src(10), Base(10), null, destinationListed: false));
    }

    [Fact]
    public void Decide_UnchangedButDestinationMissing_UploadsWithIfNoneMatch()
    {
        AssertUpload(Planner.Decide(Src(10), Base(10), null, destinationListed: true), null, false, null, "destination missing");
    }

    [Fact]
    public void Decide_UnchangedButDestinationChanged_UploadsWithIfMatchOnTheBaselineETag()
    {
        var action = Planner.Decide(Src(10), Base(10), Dst(12, "\"other\"", null), destinationListed: true);

        AssertUpload(action, expectedETag: "\"e1\"", verify: false, known: null, reason: "destination changed");
    }

    [Fact]
    public void Decide_SizeChanged_UploadsWithIfMatchOnTheBaselineETag()
    {
        AssertUpload(Planner.Decide(Src(11, "v2", T2), Base(10), null, destinationListed: false), "\"e1\"", false, null, "changed");
    }

    [Fact]
    public void Decide_SizeChangedAndDestinationMissing_UploadsWithIfNoneMatch()
    {
        AssertUpload(Planner.Decide(Src(11, "v2", T2), Base(10), null, destinationListed: true), null, false, null, "changed");
    }

    [Fact]
    public void Decide_SameSizeNewVersionBothHashesEqual_UpdatesTheBaselineOnly()
    {
        var action = Planner.Decide(Src(10, "v2", T2, HashA), Base(10, HashA), null, destinationListed: false);

        Assert.NotNull(action);
        Assert.Equal((ActionKind.UpdateBaseline, "metadata only", "\"e1\""), (action.Kind, action.Reason, action.ExpectedDestETag));
    }

    [Fact]
    public void Decide_SameSizeNewVersionHashesDiffer_Uploads()
    {
        AssertUpload(Planner.Decide(Src(10, "v2", T2, HashB), Base(10, HashA), null, false), "\"e1\"", false, null, "changed");
    }

    [Fact]
    public void Decide_SameSizeNewVersionSourceHashUnknown_UploadsHashingFirst()
    {
        var action = Planner.Decide(Src(10, "v2", T2), Base(10, HashA), null, destinationListed: false);

        AssertUpload(action, expectedETag: "\"e1\"", verify: true, known: HashA, reason: "changed (hash check first)");
    }

    [Fact]
    public void Decide_SameSizeNewVersionBaselineHashUnknown_UploadsWithoutHashCheck()
    {
        AssertUpload(Planner.Decide(Src(10, "v2", T2, HashA), Base(10), null, false), "\"e1\"", false, null, "changed");
    }

    [Fact]
    public void Decide_MetadataOnlyButDestinationChanged_UploadsConditionallyInsteadOfTrustingIt()
    {
        var action = Planner.Decide(Src(10, "v2", T2, HashA), Base(10, HashA), Dst(10, "\"other\"", HashA), destinationListed: true);

        AssertUpload(action, expectedETag: "\"e1\"", verify: false, known: null, reason: "destination changed");
    }

    [Fact]
    public void Decide_SameVersionOtherTime_IsUnchanged()
    {
        Assert.Null(Planner.Decide(Src(10, "v1", T2), Base(10), null, destinationListed: false));
    }

    [Fact]
    public void Decide_NewVersionSameTime_IsChanged()
    {
        // A blob rewritten within one second keeps Last-Modified; its ETag tells the change.
        var action = Planner.Decide(Src(10, "v2", T1), Base(10, HashA), null, destinationListed: false);

        Assert.Equal(ActionKind.Upload, action?.Kind);
    }

    [Fact]
    public void Decide_VersionsUnknownSameTime_IsUnchanged()
    {
        var baseline = Base(10) with { SourceVersion = null };

        Assert.Null(Planner.Decide(Src(10, null, T1), baseline, null, destinationListed: false));
    }

    [Fact]
    public void Decide_VersionsUnknownOtherTime_IsChanged()
    {
        var baseline = Base(10, HashA) with { SourceVersion = null };

        AssertUpload(Planner.Decide(Src(10, null, T2), baseline, null, false), "\"e1\"", true, HashA, "changed (hash check first)");
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Decide_DeletedAtSource_DeletesWithIfMatchOnTheBaselineETag(bool listed, bool destinationPresent)
    {
        var destination = destinationPresent ? Dst(10, "\"e1\"", null) : null;

        var action = Planner.Decide(null, Base(10), destination, listed);

        Assert.NotNull(action);
        Assert.Equal((ActionKind.Delete, "f", "\"e1\"", "deleted at source"), (action.Kind, action.Path, action.ExpectedDestETag, action.Reason));
    }

    [Fact]
    public void Decide_OnlyAtTheDestination_LeavesItAlone()
    {
        Assert.Null(Planner.Decide(null, null, Dst(10, "\"foreign\"", null), destinationListed: true));
    }

    private static ObjectInfo Src(long size, string? version = "v1", DateTimeOffset? time = null, string? sha = null) =>
        new("f", size, time ?? T1, version, sha);

    private static ObjectInfo Dst(long size, string etag, string? sha) => new("f", size, T2, etag, sha);

    private static BaselineEntry Base(long size, string? sha = null) => new()
    {
        PairId = "p",
        Path = "f",
        Size = size,
        LastModified = T1,
        SourceVersion = "v1",
        Sha256 = sha,
        DestETag = "\"e1\"",
    };

    private static void AssertUpload(PlannedAction? action, string? expectedETag, bool verify, string? known, string reason)
    {
        Assert.NotNull(action);
        Assert.Equal(
            (ActionKind.Upload, "f", expectedETag, verify, known, reason),
            (action.Kind, action.Path, action.ExpectedDestETag, action.VerifyHashFirst, action.KnownSha256, action.Reason));
        Assert.NotNull(action.Source);
    }
}

using CsCheck;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Tests.Planning;

/// <summary>
/// The fingerprint of a plan: the same actions in any order and any work-item layout give the same fingerprint; any
/// change to what an action would do, or to the version it was planned against, gives another.
/// </summary>
public sealed class PlanFingerprintTests
{
    private static readonly Gen<ActionRecord> Action =
        Gen.Select(Gen.Int[0, 40], Gen.Enum<ActionKind>(), Gen.Long[0, 1 << 20], Gen.Int[0, 5], Gen.Bool)
            .Select((path, kind, size, version, skipped) => new ActionRecord
            {
                RunId = "r",
                ItemId = "i",
                ActionId = "a",
                Kind = kind,
                Path = $"d{path % 4}/f{path}.bin",
                SourceSize = size,
                SourceVersion = "v" + version,
                Reason = "changed",
                Status = skipped ? ActionStatus.Skipped : ActionStatus.Pending,
                LastError = skipped ? "name not allowed" : null,
            });

    private static readonly Gen<List<ActionRecord>> Plan = Action.List[1, 30].Select(list => list.DistinctBy(a => (a.Path, a.Kind)).ToList());

    [Fact]
    public void Of_SameActionsReorderedAndRenumbered_SameFingerprint() =>
        Gen.Select(Plan, Gen.Int).Sample((plan, seed) =>
        {
            var random = new Random(seed);
            var shuffled = plan.OrderBy(_ => random.Next()).Select((a, i) => a with { ItemId = $"item{i / 3}", ActionId = (i % 3).ToString("D3", System.Globalization.CultureInfo.InvariantCulture), ETag = "e" + i }).ToList();
            return PlanFingerprint.Of(plan) == PlanFingerprint.Of(shuffled);
        });

    [Fact]
    public void Of_OneActionChanged_OtherFingerprint() =>
        Gen.Select(Plan, Gen.Int[0, 1000], Gen.Int[0, 5]).Sample((plan, which, change) =>
        {
            var i = which % plan.Count;
            var a = plan[i];
            var changed = change switch
            {
                0 => a with { SourceVersion = a.SourceVersion + "'" },
                1 => a with { SourceSize = a.SourceSize + 1 },
                2 => a with { Path = a.Path + "x" },
                3 => a with { Kind = a.Kind == ActionKind.Upload ? ActionKind.Delete : ActionKind.Upload },
                4 => a with { ExpectedDestETag = "etag-now" },
                _ => a with { Status = a.Status == ActionStatus.Skipped ? ActionStatus.Pending : ActionStatus.Skipped },
            };
            var other = plan.Select((x, j) => j == i ? changed : x).ToList();
            return PlanFingerprint.Of(plan) != PlanFingerprint.Of(other);
        });

    [Fact]
    public void Of_ActionAddedOrDropped_OtherFingerprint() =>
        Plan.Sample(plan =>
            PlanFingerprint.Of(plan) != PlanFingerprint.Of(plan.Skip(1))
            && PlanFingerprint.Of(plan) != PlanFingerprint.Of([.. plan, plan[0] with { Path = "zz/added.bin" }]));

    [Fact]
    public void Of_EmptyPlan_IsTheHashOfNothing() =>
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", PlanFingerprint.Of([]));

    [Fact]
    public void Preview_CountsEachKindAndListsAtMostTheLimit()
    {
        ActionRecord A(ActionKind kind, string path, long size = 0, ActionStatus status = ActionStatus.Pending) =>
            new() { RunId = "r", ItemId = "i", ActionId = "a", Kind = kind, Path = path, SourceSize = size, Status = status, LastError = status == ActionStatus.Skipped ? "bad name" : null };
        ActionRecord[] actions =
        [
            A(ActionKind.Upload, "a", 10), A(ActionKind.Upload, "b", 5), A(ActionKind.Delete, "c"), A(ActionKind.Move, "d"),
            A(ActionKind.MoveFolder, "e"), A(ActionKind.UpdateBaseline, "f", 7), A(ActionKind.Upload, "g:bad", 3, ActionStatus.Skipped),
        ];

        var preview = PlanPreview.Of(actions, deletesHeldBack: true, maxItems: 2);

        Assert.Equal((7L, 2L, 1L, 2L, 1L, 1L, 15L, true), (preview.Actions, preview.Uploads, preview.Deletes, preview.Moves, preview.BaselineUpdates, preview.Skipped, preview.Bytes, preview.DeletesHeldBack));
        Assert.Equal(["a", "b"], preview.Items.Select(i => i.Path));
        Assert.Equal("g:bad: bad name", Assert.Single(preview.SkippedItems) is var s ? $"{s.Path}: {s.Reason}" : "");
        Assert.Equal(PlanFingerprint.Of(actions), preview.Fingerprint);
    }
}

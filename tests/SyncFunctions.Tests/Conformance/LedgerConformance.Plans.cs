using SyncFunctions.Abstractions;

namespace SyncFunctions.Tests.Conformance;

/// <summary>Previewed plans: insert-only by id, CAS updates that never resurrect a removed plan, malformed ids unknown.</summary>
public abstract partial class LedgerConformance
{
    [Fact]
    public async Task TryAddPlanAsync_IdTaken_ReturnsNullAndKeepsTheFirst()
    {
        var ledger = await CreateLedgerAsync();
        var first = NewPlan("p-" + NewId());

        var stored = await ledger.TryAddPlanAsync(first, Ct);
        var again = await ledger.TryAddPlanAsync(first with { Fingerprint = "sha256:other" }, Ct);

        Assert.NotNull(stored?.ETag);
        Assert.Null(again);
        Assert.Equal(stored, await ledger.GetPlanAsync(first.PlanId, Ct));
    }

    [Fact]
    public async Task GetPlanAsync_MissingOrMalformedId_ReturnsNull()
    {
        var ledger = await CreateLedgerAsync();

        Assert.Null(await ledger.GetPlanAsync(PlanIds.New(), Ct));
        Assert.Null(await ledger.GetPlanAsync("a/b#c?d", Ct));
        Assert.Null(await ledger.GetPlanAsync("", Ct));
        Assert.False(await ledger.RemovePlanAsync("not a plan", Ct));
    }

    [Fact]
    public async Task TryUpdatePlanAsync_CurrentThenStaleETag_StoresOnceThenNull()
    {
        var ledger = await CreateLedgerAsync();
        var stored = (await ledger.TryAddPlanAsync(NewPlan("p-" + NewId()), Ct))!;

        var applied = await ledger.TryUpdatePlanAsync(stored with { AppliedRunId = "run-1" }, Ct);
        var stale = await ledger.TryUpdatePlanAsync(stored with { AppliedRunId = "run-2" }, Ct);

        Assert.NotNull(applied);
        Assert.Null(stale);
        Assert.Equal("run-1", (await ledger.GetPlanAsync(stored.PlanId, Ct))!.AppliedRunId);
    }

    [Fact]
    public async Task RemovePlanAsync_ThenUpdateAndList_StaysRemoved()
    {
        var ledger = await CreateLedgerAsync();
        var pair = "l-" + NewId();
        var plans = new List<PlanRecord>();
        for (var i = 0; i < 3; i++)
        {
            plans.Add((await ledger.TryAddPlanAsync(NewPlan(pair), Ct))!);
        }

        Assert.True(await ledger.RemovePlanAsync(plans[1].PlanId, Ct));
        Assert.False(await ledger.RemovePlanAsync(plans[1].PlanId, Ct));
        Assert.Null(await ledger.TryUpdatePlanAsync(plans[1] with { AppliedRunId = "r" }, Ct));

        var listed = new List<string>();
        await foreach (var plan in ledger.ListPlansAsync(Ct))
        {
            if (plan.PairName == pair)
            {
                listed.Add(plan.PlanId);
            }
        }

        Assert.Equal(new[] { plans[0].PlanId, plans[2].PlanId }.Order(StringComparer.Ordinal), listed);
    }

    private static PlanRecord NewPlan(string pairName) =>
        new(PlanIds.New(), pairName, "pair-" + NewId(), "W/\"def\"", null, "sha256:" + new string('a', 64), 3, 300, 1, T0, T0.AddMinutes(15));
}

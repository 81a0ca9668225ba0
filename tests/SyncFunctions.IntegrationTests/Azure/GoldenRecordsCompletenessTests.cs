namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>
/// The golden round trips only prove a property is stored when the golden record sets it: every property
/// of every golden record must differ from its default, so a new record property without a column fails here.
/// </summary>
public sealed class GoldenRecordsCompletenessTests
{
    public static TheoryData<string, object> Records() => new()
    {
        { "pair", GoldenRecords.Pair },
        { "pairname", GoldenRecords.Definition },
        { "subscription", GoldenRecords.Subscription },
        { "plan", GoldenRecords.Plan },
        { "run", GoldenRecords.Run },
        { "workitem", GoldenRecords.WorkItem },
        { "action", GoldenRecords.Action },
        { "baseline", GoldenRecords.Baseline },
        { "carryover", GoldenRecords.CarryOver },
        { "staging", GoldenRecords.StagedChange },
        { "tree", GoldenRecords.Tree },
        { "changedpath", GoldenRecords.ChangedPath },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void GoldenRecord_SetsEveryPropertyButETag(string name, object record)
    {
        var unset = record.GetType().GetProperties()
            .Where(p => p.Name != "ETag" && p.GetIndexParameters().Length == 0)
            .Where(p =>
            {
                var value = p.GetValue(record);
                var type = p.PropertyType;
                var fallback = type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
                return value is null || (fallback is not null && value.Equals(fallback) && !type.IsEnum);
            })
            .Select(p => p.Name)
            .ToList();

        Assert.True(unset.Count == 0, $"{name}: golden record leaves {string.Join(", ", unset)} unset");
    }
}

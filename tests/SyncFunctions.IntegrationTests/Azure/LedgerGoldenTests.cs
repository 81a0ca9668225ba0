using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using SyncFunctions.Abstractions;
using SyncFunctions.Tests.Fakes;
using SyncFunctions.Azure;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>
/// Pins the persisted format of every ledger row: each record is written through <see cref="TableLedger"/>,
/// read back raw from Table Storage and compared with a golden file (Timestamp and ETag left out).
/// A format change fails here; change a golden file only together with a schema version decision.
/// Set SYNCFN_UPDATE_GOLDEN=1 to rewrite the files after a deliberate change.
/// </summary>
[Collection("azurite")]
public sealed class LedgerGoldenTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly AzureStorageConnection _connection = azurite.Connect();
    private readonly string _prefix = AzuriteFixture.NewTablePrefix();
    private TableLedger _ledger = null!;

    public async Task InitializeAsync()
    {
        _ledger = TableLedger.Create(_connection, _prefix);
        await _ledger.InitializeAsync(Ct);
    }

    public Task DisposeAsync()
    {
        _connection.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PairRow_MatchesGoldenFileAndRoundTrips()
    {
        var pair = GoldenRecords.Pair;
        var stored = await _ledger.GetOrCreatePairAsync(pair, Ct);

        await AssertGoldenAsync("pair.json", "SyncPairs", "pair", pair.PairId);
        Assert.Equal(pair with { ETag = stored.ETag }, await _ledger.GetPairAsync(pair.PairId, Ct));
    }

    [Fact]
    public async Task PairNameRow_MatchesGoldenFileAndRoundTrips()
    {
        var definition = GoldenRecords.Definition;
        var stored = await _ledger.TryAddDefinitionAsync(definition, Ct);

        await AssertGoldenAsync("pairname.json", "SyncPairs", "name", definition.Name);
        Assert.Equal(definition with { ETag = stored!.ETag }, await _ledger.GetDefinitionAsync(definition.Name, Ct));
    }

    [Fact]
    public async Task SubscriptionRow_MatchesGoldenFileAndRoundTrips()
    {
        var subscription = GoldenRecords.Subscription;
        var stored = await _ledger.TryAddSubscriptionAsync(subscription, Ct);

        await AssertGoldenAsync("subscription.json", "SyncPairs", "subscription", subscription.SubscriptionId);
        Assert.Equal(subscription with { ETag = stored!.ETag }, await _ledger.GetSubscriptionAsync(subscription.SubscriptionId, Ct));
    }

    [Fact]
    public async Task PlanRow_MatchesGoldenFileAndRoundTrips()
    {
        var plan = GoldenRecords.Plan;
        var stored = await _ledger.TryAddPlanAsync(plan, Ct);

        await AssertGoldenAsync("plan.json", "SyncPairs", "plan", plan.PlanId);
        Assert.Equal(plan with { ETag = stored!.ETag }, await _ledger.GetPlanAsync(plan.PlanId, Ct));
    }

    [Fact]
    public async Task RunRow_MatchesGoldenFileAndRoundTrips()
    {
        var run = GoldenRecords.Run;
        var stored = await _ledger.CreateRunAsync(run, Ct);

        await AssertGoldenAsync("run.json", "SyncRuns", run.PairId, run.RunId);
        Assert.Equal(run with { ETag = stored.ETag }, await _ledger.GetRunAsync(run.PairId, run.RunId, Ct));
    }

    [Fact]
    public async Task WorkItemAndActionRows_MatchGoldenFilesAndRoundTrip()
    {
        var (item, action) = (GoldenRecords.WorkItem, GoldenRecords.Action);
        var stored = await _ledger.AddWorkItemAsync(item, [action], Ct);

        await AssertGoldenAsync("workitem.json", "SyncWorkItems", item.RunId, item.ItemId);
        await AssertGoldenAsync("action.json", "SyncActions", $"{action.RunId}_{action.ItemId}", action.ActionId);
        Assert.Equal(item with { ETag = stored.ETag }, await _ledger.GetWorkItemAsync(item.RunId, item.ItemId, Ct));
        var actions = await _ledger.GetActionsAsync(item.RunId, item.ItemId, Ct);
        Assert.Equal(action with { ETag = actions[0].ETag }, Assert.Single(actions));
    }

    [Fact]
    public async Task ChunkRangeRow_MatchesGoldenFileAndRoundTrips()
    {
        var range = GoldenRecords.ChunkRange;
        var stored = await _ledger.TryInsertWorkItemAsync(range, Ct);

        await AssertGoldenAsync("workitem-range.json", "SyncWorkItems", range.RunId, range.ItemId);
        Assert.Equal(range with { ETag = stored!.ETag }, await _ledger.GetWorkItemAsync(range.RunId, range.ItemId, Ct));
    }

    [Fact]
    public async Task BaselineRows_MatchGoldenFilesAndRoundTrip()
    {
        var (entry, overflow) = (GoldenRecords.Baseline, GoldenRecords.BaselineOverflow);
        await _ledger.ApplyBaselineAsync(entry.PairId, [entry, overflow], [], Ct);

        await AssertGoldenAsync("baseline.json", "SyncBaseline", entry.PairId, TableKeyCodec.Encode(entry.Path));
        await AssertGoldenAsync("baseline-overflow.json", "SyncBaseline", entry.PairId + "~overflow", TableKeyCodec.OverflowKey(overflow.Path));
        Assert.Equal([entry, overflow], await _ledger.ListBaselineAsync(entry.PairId, Ct).ToListAsync());
    }

    [Fact]
    public async Task CarryOverRow_MatchesGoldenFileAndRoundTrips()
    {
        var entry = GoldenRecords.CarryOver;
        await _ledger.ApplyCarryOverAsync(entry.PairId, [entry], [], Ct);

        await AssertGoldenAsync("carryover.json", "SyncCarryOver", entry.PairId, TableKeyCodec.Encode(entry.Path));
        Assert.Equal([entry], await _ledger.ListCarryOverAsync(entry.PairId, Ct).ToListAsync());
    }

    [Fact]
    public async Task StagingRow_MatchesGoldenFileAndRoundTrips()
    {
        var item = GoldenRecords.StagedChange;
        await _ledger.StageChangesAsync("run-0001", [item], Ct);

        await AssertGoldenAsync("staging.json", TableLedger.StagingTableName("", "run-0001"), "run-0001", TableKeyCodec.Encode(item.ItemId));
        Assert.Equal([item], await _ledger.ListStagedChangesAsync("run-0001", Ct).ToListAsync());
    }

    [Fact]
    public async Task TreeRow_MatchesGoldenFileAndRoundTrips()
    {
        var entry = GoldenRecords.Tree;
        await _ledger.ApplyTreeAsync(entry.PairId, [entry], [], Ct);

        await AssertGoldenAsync("tree.json", "SyncTree", entry.PairId, TableKeyCodec.Encode(entry.ItemId));
        Assert.Equal(entry, await _ledger.GetTreeEntryAsync(entry.PairId, entry.ItemId, Ct));
    }

    [Fact]
    public async Task ChangedPathRow_MatchesGoldenFileAndRoundTrips()
    {
        var path = GoldenRecords.ChangedPath;
        await _ledger.StageChangedPathsAsync(path.PairId, [path.Path], path.StagedAt, Ct);
        Assert.Equal(1, await _ledger.TakeChangedPathsAsync(path.PairId, path.TakenBy!, Ct));

        await AssertGoldenAsync("changedpath.json", "SyncChangedPaths", path.PairId, TableKeyCodec.Encode(path.Path));
        Assert.Equal([path], await _ledger.ListChangedPathsAsync(path.PairId, Ct).ToListAsync());
    }

    [Fact]
    public async Task ListChangedPathsAsync_RowWithSchemaVersion2_ThrowsWrittenByNewerSyncfn()
    {
        var row = new TableEntity("p1", TableKeyCodec.Encode("zz")) { ["SchemaVersion"] = 2, ["Path"] = "zz" };
        await Table("SyncChangedPaths").AddEntityAsync(row, Ct);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _ledger.ListChangedPathsAsync("p1", Ct).ToListAsync().AsTask());

        Assert.Contains("written by a newer syncfn", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListStagedChangesAsync_RowWithSchemaVersion2_ThrowsWrittenByNewerSyncfn()
    {
        var row = new TableEntity("run-9", TableKeyCodec.Encode("i!1")) { ["SchemaVersion"] = 2, ["ItemId"] = "i!1" };
        var staging = Table(TableLedger.StagingTableName("", "run-9"));
        await staging.CreateIfNotExistsAsync(Ct);
        await staging.AddEntityAsync(row, Ct);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _ledger.ListStagedChangesAsync("run-9", Ct).ToListAsync().AsTask());

        Assert.Contains("written by a newer syncfn", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTreeEntryAsync_RowWithSchemaVersion2_ThrowsWrittenByNewerSyncfn()
    {
        var row = new TableEntity("p1", TableKeyCodec.Encode("i!1")) { ["SchemaVersion"] = 2, ["ItemId"] = "i!1", ["Name"] = "n" };
        await Table("SyncTree").AddEntityAsync(row, Ct);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _ledger.GetTreeEntryAsync("p1", "i!1", Ct));

        Assert.Contains("written by a newer syncfn", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRunAsync_RowWithSchemaVersion2_ThrowsWrittenByNewerSyncfn()
    {
        var row = new TableEntity("p1", "r9") { ["SchemaVersion"] = 2, ["Status"] = "Running" };
        await Table("SyncRuns").AddEntityAsync(row, Ct);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _ledger.GetRunAsync("p1", "r9", Ct));

        Assert.Contains("schema version 2, written by a newer syncfn", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListBaselineAsync_RowWithSchemaVersion2_ThrowsWrittenByNewerSyncfn()
    {
        await _ledger.ApplyBaselineAsync("p1", [GoldenRecords.Baseline with { PairId = "p1" }], [], Ct);
        var row = new TableEntity("p1", TableKeyCodec.Encode("zz")) { ["SchemaVersion"] = 2, ["Path"] = "zz" };
        await Table("SyncBaseline").AddEntityAsync(row, Ct);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _ledger.ListBaselineAsync("p1", Ct).ToListAsync().AsTask());

        Assert.Contains("written by a newer syncfn", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetActionsAsync_UnknownEnumValue_ThrowsClearMessage()
    {
        var row = new TableEntity("r1_i1", "0001") { ["SchemaVersion"] = 1, ["RunId"] = "r1", ["ItemId"] = "i1", ["Path"] = "x", ["Kind"] = "Teleport" };
        await Table("SyncActions").AddEntityAsync(row, Ct);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _ledger.GetActionsAsync("r1", "i1", Ct));

        Assert.Contains("unknown Kind 'Teleport'", e.Message, StringComparison.Ordinal);
    }

    private TableClient Table(string name) => _connection.TableService.GetTableClient(_prefix + name);

    private async Task AssertGoldenAsync(string file, string table, string partitionKey, string rowKey)
    {
        var row = (await Table(table).GetEntityAsync<TableEntity>(partitionKey, rowKey, cancellationToken: Ct)).Value;
        var actual = ToGoldenJson(row);
        var path = Path.Combine(RepoPaths.RepoRoot, "tests", "SyncFunctions.IntegrationTests", "Azure", "Golden", file);
        if (Environment.GetEnvironmentVariable("SYNCFN_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(path, actual, Ct);
        }

        Assert.True(File.Exists(path), $"Golden file {path} is missing; run with SYNCFN_UPDATE_GOLDEN=1 to create it.");
        Assert.Equal((await File.ReadAllTextAsync(path, Ct)).ReplaceLineEndings("\n"), actual);
    }

    /// <summary>
    /// The row as the OData JSON the service stores: properties sorted, typed values annotated
    /// (<c>Name@odata.type</c>), service-owned Timestamp and ETag left out.
    /// </summary>
    internal static string ToGoldenJson(TableEntity row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            foreach (var key in row.Keys.Where(k => k is not ("Timestamp" or "odata.etag")).Order(StringComparer.Ordinal))
            {
                WriteProperty(json, key, row[key]);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    private static void WriteProperty(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case string s:
                json.WriteString(key, s);
                break;
            case bool b:
                json.WriteBoolean(key, b);
                break;
            case int i:
                json.WriteNumber(key, i);
                break;
            case long l:
                json.WriteString(key, l.ToString(CultureInfo.InvariantCulture));
                json.WriteString(key + "@odata.type", "Edm.Int64");
                break;
            case DateTimeOffset d:
                json.WriteString(key, d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                json.WriteString(key + "@odata.type", "Edm.DateTime");
                break;
            default:
                json.WriteString(key, $"{value} ({value?.GetType().Name ?? "null"})");
                break;
        }
    }
}

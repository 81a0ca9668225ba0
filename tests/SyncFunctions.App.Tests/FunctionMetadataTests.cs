using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using SyncFunctions.Orchestration;

namespace SyncFunctions.App.Tests;

/// <summary>
/// The <c>functions.metadata</c> the Functions SDK generated for this build: pinned whole by a golden file (names,
/// entry points, trigger types, routes, methods, auth levels, schedules), and checked against the contract (issue 8)
/// and the names the orchestrator schedules. Set SYNCFN_UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static readonly string[] BindingFields = ["type", "direction", "route", "methods", "authLevel", "schedule"];

    private static readonly JsonElement Metadata = AppOutput.ReadJson(Path.Combine(AppOutput.Folder, "functions.metadata"));

    [Fact]
    public void Metadata_EqualsTheGoldenFile()
    {
        var actual = Golden();
        var path = Path.Combine(AppOutput.RepoRoot, "tests", "SyncFunctions.App.Tests", "Golden", "functions.metadata.json");
        if (Environment.GetEnvironmentVariable("SYNCFN_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Golden file {path} is missing; run with SYNCFN_UPDATE_GOLDEN=1 to create it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    public static TheoryData<string, string, string> ContractRoutes() => new()
    {
        { "GET", "pairs", "Function" },
        { "POST", "pairs", "Function" },
        { "GET", "pairs/{name}", "Function" },
        { "DELETE", "pairs/{name}", "Function" },
        { "POST", "pairs/{name}/runs", "Function" },
        { "GET", "runs", "Function" },
        { "GET", "runs/{id}", "Function" },
        { "POST", "runs/{id}/terminate", "Function" },
        { "GET", "runs/{id}/events", "Function" },
        { "POST", "webhooks/graph", "Anonymous" },
        { "POST", "webhooks/blob-events", "Anonymous" },
        { "OPTIONS", "webhooks/blob-events", "Anonymous" },
    };

    [Theory]
    [MemberData(nameof(ContractRoutes))]
    public void Metadata_ContractRoute_HasExactlyOneHttpFunctionWithItsAuthLevel(string method, string route, string authLevel)
    {
        var matches = Functions()
            .SelectMany(f => f.Bindings)
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger" && b.GetProperty("route").GetString() == route
                && b.GetProperty("methods").EnumerateArray().Any(m => string.Equals(m.GetString(), method, StringComparison.OrdinalIgnoreCase)))
            .ToList();

        var binding = Assert.Single(matches);
        Assert.Equal(authLevel, binding.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void Metadata_EveryHttpFunction_IsOnTheContract()
    {
        var contract = ContractRoutes().Select(r => ((string)r[0], (string)r[1])).ToHashSet();

        var offContract = Functions()
            .SelectMany(f => f.Bindings.Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                .SelectMany(b => b.GetProperty("methods").EnumerateArray().Select(m => (m.GetString()!.ToUpperInvariant(), b.GetProperty("route").GetString()!))))
            .Where(r => !contract.Contains(r));

        Assert.Empty(offContract);
    }

    [Theory]
    [InlineData(RunActivityNames.Observe)]
    [InlineData(RunActivityNames.RenewLease)]
    [InlineData(RunActivityNames.CheckCompletion)]
    [InlineData(RunActivityNames.ExecuteWorkItem)]
    [InlineData(RunActivityNames.Finalize)]
    [InlineData(RunActivityNames.Cancel)]
    public void Metadata_ActivityTheOrchestratorSchedules_IsAnActivityFunction(string name) =>
        Assert.Equal(["activityTrigger"], TriggersOf(name));

    [Fact]
    public void Metadata_Orchestrator_IsAnOrchestrationFunctionUnderTheNameRunsAreScheduledBy() =>
        Assert.Equal(["orchestrationTrigger"], TriggersOf(RunActivityNames.Orchestrator));

    [Theory]
    [InlineData("maintenance", TimerFunctions.MaintenanceSchedule)]
    [InlineData("schedules", TimerFunctions.SchedulesSchedule)]
    public void Metadata_Timer_HasASixFieldCronSchedule(string name, string schedule)
    {
        var timer = Assert.Single(Functions().Single(f => f.Name == name).Bindings);

        Assert.Equal("timerTrigger", timer.GetProperty("type").GetString());
        Assert.Equal(schedule, timer.GetProperty("schedule").GetString());
        Assert.NotNull(CronExpression.Parse(schedule, CronFormat.IncludeSeconds).GetNextOccurrence(DateTime.UtcNow));
    }

    private static List<string?> TriggersOf(string name) =>
        [.. Functions().Single(f => f.Name == name).Bindings.Where(b => b.GetProperty("direction").GetString() == "In").Select(b => b.GetProperty("type").GetString())];

    private static IEnumerable<(string Name, IReadOnlyList<JsonElement> Bindings)> Functions() =>
        Metadata.EnumerateArray().Select(f => (f.GetProperty("name").GetString()!, (IReadOnlyList<JsonElement>)[.. f.GetProperty("bindings").EnumerateArray()]));

    /// <summary>The metadata by function name, each with its entry point and the binding fields that make the contract.</summary>
    private static string Golden()
    {
        var functions = new JsonArray();
        foreach (var f in Metadata.EnumerateArray().OrderBy(f => f.GetProperty("name").GetString(), StringComparer.Ordinal))
        {
            var bindings = new JsonArray();
            foreach (var b in f.GetProperty("bindings").EnumerateArray())
            {
                var binding = new JsonObject();
                foreach (var field in BindingFields)
                {
                    if (b.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
                    {
                        binding[field] = JsonNode.Parse(value.GetRawText());
                    }
                }

                bindings.Add(binding);
            }

            functions.Add(new JsonObject
            {
                ["name"] = f.GetProperty("name").GetString(),
                ["entryPoint"] = f.GetProperty("entryPoint").GetString(),
                ["bindings"] = bindings,
            });
        }

        return functions.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ReplaceLineEndings("\n") + "\n";
    }
}

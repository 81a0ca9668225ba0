using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;
using SyncFunctions.App.Tests.Infrastructure;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Schedules;
using SyncFunctions.Orchestration.Timers;

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
        { "POST", "pairs/{name}/plan", "Function" },
        { "POST", "plans/{id}/apply", "Function" },
        { "POST", "maintenance/gc", "Function" },
        { "POST", "maintenance/compact", "Function" },
        { "GET", "maintenance/runs/{id}", "Function" },
        { "GET", "stats", "Function" },
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

    /// <summary>Every activity name the orchestrators schedule (each public constant of the names classes, by reflection, so a new one cannot be missed).</summary>
    public static TheoryData<string> ActivityNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Constants(typeof(RunActivityNames)).Where(n => n != RunActivityNames.Orchestrator).Append(ScheduleNames.Fire))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ActivityNames))]
    public void Metadata_ActivityTheOrchestratorsSchedule_IsAnActivityFunction(string name) =>
        Assert.Equal("activityTrigger", TriggersOf(name)[0]);

    [Theory]
    [InlineData(RunActivityNames.Orchestrator)]
    [InlineData(ScheduleNames.Orchestrator)]
    public void Metadata_Orchestrator_IsAnOrchestrationFunctionUnderTheNameItIsScheduledBy(string name) =>
        Assert.Equal(["orchestrationTrigger"], TriggersOf(name));

    [Theory]
    [InlineData(TimerJobNames.Maintenance, TimerSchedules.Maintenance)]
    [InlineData(TimerJobNames.SchedulesReconcile, TimerSchedules.SchedulesReconcile)]
    public void Metadata_Timer_HasServesNameAndSixFieldCronSchedule(string name, string schedule)
    {
        var timer = Functions().Single(f => f.Name == name).Bindings.Single(b => b.GetProperty("type").GetString() == "timerTrigger");

        Assert.Equal(schedule, timer.GetProperty("schedule").GetString());
        Assert.NotNull(CronExpression.Parse(schedule, CronFormat.IncludeSeconds).GetNextOccurrence(DateTime.UtcNow));
    }

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

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

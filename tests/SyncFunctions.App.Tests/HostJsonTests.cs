using System.Reflection;
using System.Text.Json;
using DurableTask.AzureStorage;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using SyncFunctions.Serve;

namespace SyncFunctions.App.Tests;

/// <summary>
/// The repository's host.json is the app's host configuration: it parses, holds the Durable settings chosen in
/// docs/design.md, and lets the app share its task hub with <c>syncfn serve</c>; the build output carries it and the
/// other files a deployment needs.
/// </summary>
public sealed class HostJsonTests
{
    private static readonly JsonElement Host = AppOutput.ReadJson(Path.Combine(AppOutput.RepoRoot, "host.json"));

    private static JsonElement Durable => Host.GetProperty("extensions").GetProperty("durableTask");

    [Fact]
    public void HostJson_IsAFunctionsV2IsolatedConfiguration()
    {
        Assert.Equal("2.0", Host.GetProperty("version").GetString());
        Assert.Equal("api", Host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());

        // An isolated app brings its extensions in its own build (extensions.json); a bundle or a custom handler would replace them.
        Assert.False(Host.TryGetProperty("extensionBundle", out _));
        Assert.False(Host.TryGetProperty("customHandler", out _));
    }

    [Fact]
    public void HostJson_TaskHub_IsServesSoBothHostsShareRuns()
    {
        Assert.Equal(DurableHostOptions.DefaultTaskHub, Durable.GetProperty("hubName").GetString());

        // A task hub's partition count is fixed when it is created; serve creates it with the framework's default.
        Assert.Equal(new AzureStorageOrchestrationServiceSettings().PartitionCount, Durable.GetProperty("storageProvider").GetProperty("partitionCount").GetInt32());
    }

    [Fact]
    public void HostJson_DurableSettings_AreTheChosenOnes()
    {
        var storage = Durable.GetProperty("storageProvider");
        Assert.Equal(TimeSpan.FromSeconds(2), TimeSpan.Parse(storage.GetProperty("maxQueuePollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.FromSeconds(90), TimeSpan.Parse(storage.GetProperty("workItemQueueVisibilityTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Durable.GetProperty("extendedSessionsEnabled").GetBoolean());
        Assert.Equal(8, Durable.GetProperty("maxConcurrentActivityFunctions").GetInt32());
        Assert.Equal(10, Durable.GetProperty("maxConcurrentOrchestratorFunctions").GetInt32());
    }

    [Fact]
    public void HostJson_FunctionTimeout_OutlastsTheLongestEventStream()
    {
        var timeout = TimeSpan.Parse(Host.GetProperty("functionTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        // Ten minutes is the most a Consumption plan allows, so the same file deploys on every plan.
        Assert.Equal(TimeSpan.FromMinutes(10), timeout);
        Assert.True(RunHttpFunctions.MaxEventStream < timeout);
    }

    [Fact]
    public void BuildOutput_HoldsWhatADeploymentNeeds()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(AppOutput.RepoRoot, "host.json")), File.ReadAllText(Path.Combine(AppOutput.Folder, "host.json")));
        var worker = AppOutput.ReadJson(Path.Combine(AppOutput.Folder, "worker.config.json")).GetProperty("description");
        Assert.Equal("dotnet-isolated", worker.GetProperty("language").GetString());
        Assert.Equal("SyncFunctions.App.dll", worker.GetProperty("defaultWorkerPath").GetString());
        Assert.True(File.Exists(Path.Combine(AppOutput.Folder, "SyncFunctions.App.dll")));
        var extensions = AppOutput.ReadJson(Path.Combine(AppOutput.Folder, "extensions.json")).GetProperty("extensions").EnumerateArray()
            .Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("DurableTask", extensions);
        Assert.True(File.Exists(Path.Combine(AppOutput.Folder, ".azurefunctions", "Microsoft.Azure.WebJobs.Extensions.DurableTask.dll")));
    }

    [Fact]
    public void App_ReferencesOnlyLowerLayersAndNoOtherHost()
    {
        string[] ours = ["SyncFunctions.Abstractions", "SyncFunctions.Core", "SyncFunctions.Azure", "SyncFunctions.Graph", "SyncFunctions.GraphDev", "SyncFunctions.Orchestration", "SyncFunctions.Http", "SyncFunctions.Serve", "syncfn"];
        string[] allowed = ["SyncFunctions.Abstractions", "SyncFunctions.Core", "SyncFunctions.Azure", "SyncFunctions.Graph", "SyncFunctions.Orchestration", "SyncFunctions.Http"];

        var references = typeof(PairFunctions).Assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(ours.Contains);

        Assert.Empty(references.Except(allowed));
    }
}

using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.Abstractions;
using SyncFunctions.App.Composition;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using SyncFunctions.Core.Protocol;
using SyncFunctions.IntegrationTests.Infrastructure;
using SyncFunctions.Orchestration;
using static SyncFunctions.App.Tests.Infrastructure.AppFixture;

namespace SyncFunctions.App.Tests;

[CollectionDefinition("azurite")]
public sealed class AppAzuriteCollection : ICollectionFixture<AzuriteFixture>
{
}

/// <summary>
/// The app's own composition (settings -> storage account -> table ledger, blob scheme, run steps) on Azurite: a pair
/// added through the pair function lands in the ledger tables with its container on the app's account, and a run
/// started through the run function and driven through the activity wrappers mirrors a local folder into the container.
/// </summary>
[Collection("azurite")]
public sealed class AppCompositionAzuriteTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _root = Directory.CreateTempSubdirectory("syncfn-app-az-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Composition_OnAzurite_PairStoredAndRunMirrorsTheFolderIntoTheContainer()
    {
        var owner = new OwnerIdentity("app-azurite-test", Environment.ProcessId, DateTimeOffset.UtcNow);
        var prefix = AzuriteFixture.NewTablePrefix();
        var settings = AppSettings.From(name => name == AppSettings.FunctionsStorageVariable ? azurite.ConnectionString : null);
        using var app = new AppHost(ct => AppComposition.CreateAsync(settings, NullLoggerFactory.Instance, TimeProvider.System, owner, ct, prefix), owner);
        var container = AzuriteFixture.NewContainerName("app");
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["a.txt"] = "alpha", ["d/b.txt"] = new string('b', 70_000), ["d/e/c.txt"] = "charlie" };
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_root, path))!);
            await File.WriteAllTextAsync(Path.Combine(_root, path), text, Ct);
        }

        var addRequest = Request("POST", "/api/pairs", Json(new { name = "docs", source = _root, destination = "blob:" + container }));
        var client = new RecordingDurableClient();
        var added = await ExecuteAsync(addRequest, await new PairFunctions(app).AddAsync(addRequest, client, Ct));
        Assert.True(added.Status == 201, added.Body);
        var blobAccount = azurite.Connect().BlobEndpoint.ToString().TrimEnd('/');
        Assert.Equal($"blob:{blobAccount}/{container}", added.Json.GetProperty("destination").GetString());
        var stored = (await app.GetAsync(Ct)).Ledger;
        Assert.Equal("local:" + _root, (await stored.GetDefinitionAsync("docs", Ct))!.Source);

        var startRequest = Request("POST", "/api/pairs/docs/runs");
        var started = await ExecuteAsync(startRequest, await new RunHttpFunctions(app).StartAsync(startRequest, "docs", client, Ct));
        Assert.True(started.Status == 202, started.Body);
        var id = started.Json.GetProperty("id").GetString()!;

        var finalized = await RunDriver.DriveAsync(new RunFunctions(app.Steps), client.Instances[id].ReadInputAs<RunOrchestrationInput>()!);

        Assert.Equal(RunStatus.Succeeded, finalized.Status);
        Assert.Equal(RunStatus.Succeeded, (await stored.FindRunAsync(id, Ct))!.Status);
        Assert.Equal(files, await ContainerAsync(container));
    }

    private async Task<SortedDictionary<string, string>> ContainerAsync(string name)
    {
        var container = new BlobContainerClient(azurite.ConnectionString, name);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: Ct))
        {
            result[blob.Name] = (await container.GetBlobClient(blob.Name).DownloadContentAsync(Ct)).Value.Content.ToString();
        }

        return result;
    }
}

using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.App.Composition;
using SyncFunctions.Graph;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.App.Tests;

/// <summary>The app's settings (what the CLI reads, plus the Functions host's storage setting) and where endpoints are put.</summary>
public sealed class AppSettingsTests
{
    private const string Key = "c2VjcmV0LWtleS1ub3QtdG8tYmUtbG9nZ2Vk";
    private const string Storage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Key + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";
    private const string Other = "DefaultEndpointsProtocol=http;AccountName=other;AccountKey=" + Key + ";BlobEndpoint=http://127.0.0.1:20000/other;QueueEndpoint=http://127.0.0.1:20001/other;TableEndpoint=http://127.0.0.1:20002/other;";

    [Fact]
    public void From_OwnStorageSetting_WinsOverTheHostsAndDefaultsApply()
    {
        var settings = AppSettings.From(Env(("SYNCFN_STORAGE", Storage), ("AzureWebJobsStorage", Other)));

        Assert.Equal(Storage, settings.StorageConnection);
        Assert.Equal(AppSettings.StorageVariable, settings.StorageSetting);
        Assert.Equal(GraphConnection.DefaultBaseUrl, settings.GraphUrl);
        Assert.False(settings.GraphCredentials.IsConfigured);
        Assert.Null(settings.PublicUrl);
    }

    [Fact]
    public void From_OnlyTheHostsStorage_UsesAzureWebJobsStorage()
    {
        var settings = AppSettings.From(Env(("AzureWebJobsStorage", Other)));

        Assert.Equal(Other, settings.StorageConnection);
        Assert.Equal(AppSettings.FunctionsStorageVariable, settings.StorageSetting);
    }

    [Fact]
    public void From_GraphAndPublicUrls_ReadNormalizedWithCredentials()
    {
        var settings = AppSettings.From(Env(
            ("SYNCFN_STORAGE", Storage), ("SYNCFN_GRAPH_URL", "http://127.0.0.1:5100/v1.0/"), ("SYNCFN_PUBLIC_URL", "https://sync.example/"),
            ("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "s")));

        Assert.Equal(new Uri("http://127.0.0.1:5100/v1.0"), settings.GraphUrl);
        Assert.Equal(new Uri("https://sync.example"), settings.PublicUrl);
        Assert.True(settings.GraphCredentials.IsConfigured);
    }

    [Theory]
    [InlineData("myapp.azurewebsites.net", null, "https://myapp.azurewebsites.net/")]
    [InlineData("myapp.azurewebsites.net", "https://sync.example", "https://sync.example/")]
    [InlineData("not a host/x", null, null)]
    [InlineData(null, null, null)]
    public void From_NoPublicUrl_TheAppsHostNameInAzure(string? hostName, string? publicUrl, string? expected)
    {
        var settings = AppSettings.From(Env(("SYNCFN_STORAGE", Storage), ("WEBSITE_HOSTNAME", hostName), ("SYNCFN_PUBLIC_URL", publicUrl)));

        Assert.Equal(expected, settings.PublicUrl?.ToString());
    }

    [Theory]
    [InlineData(null, null, "SYNCFN_STORAGE (or AzureWebJobsStorage)")]
    [InlineData("UseDevelopmentStorage=true", null, "SYNCFN_STORAGE: ")]
    [InlineData(Storage, "ftp://graph", "SYNCFN_GRAPH_URL")]
    public void From_MissingOrMalformed_NotConfiguredNamingTheSettingNeverTheKey(string? storage, string? graphUrl, string expected)
    {
        var e = Assert.Throws<AppNotConfiguredException>(() => AppSettings.From(Env(("SYNCFN_STORAGE", storage), ("SYNCFN_GRAPH_URL", graphUrl))));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_BlobContainer_OnTheAppsStorageAccount()
    {
        var placement = new AppEndpointPlacement(new Uri("http://127.0.0.1:10000/devstoreaccount1"), GraphConnection.DefaultBaseUrl, GraphCredentials.None);

        var placed = placement.Place(new SyncEndpoint("blob", "docs/2026"), isSource: false);

        Assert.Equal(new SyncEndpoint("blob", "docs/2026", new Uri("http://127.0.0.1:10000/devstoreaccount1")), placed);
    }

    [Fact]
    public void Place_DriveWithoutCredentialsOnTheCloud_RefusedNamingTheSettings()
    {
        var placement = new AppEndpointPlacement(new Uri("http://127.0.0.1:10000/devstoreaccount1"), GraphConnection.DefaultBaseUrl, GraphCredentials.None);

        var e = Assert.Throws<ServiceInputException>(() => placement.Place(new SyncEndpoint("graph", "me/Docs"), isSource: true));

        Assert.Contains("source 'graph:me/Docs'", e.Message, StringComparison.Ordinal);
        Assert.Contains("AZURE_TENANT_ID", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_DriveOnALoopbackGraph_AtThatUrlWithoutCredentials()
    {
        var url = new Uri("http://127.0.0.1:5100/v1.0");
        var placement = new AppEndpointPlacement(new Uri("http://127.0.0.1:10000/devstoreaccount1"), url, GraphCredentials.None);

        Assert.Equal(url, placement.Place(new SyncEndpoint("graph", "me/Docs"), isSource: false).Account);
    }

    [Fact]
    public void Place_LocalFolder_Unchanged()
    {
        var placement = new AppEndpointPlacement(new Uri("http://127.0.0.1:10000/devstoreaccount1"), GraphConnection.DefaultBaseUrl, GraphCredentials.None);
        var local = new SyncEndpoint("local", "/data/in");

        Assert.Same(local, placement.Place(local, isSource: true));
    }

    private static Func<string, string?> Env(params (string Name, string? Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;
}

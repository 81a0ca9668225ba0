using SyncFunctions.Cli.Commands;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>
/// Pins the canonical endpoint forms and the pair id they hash to: existing ledgers find their pairs by these
/// bytes, so a change here orphans every pair. Change a value only together with a migration decision.
/// </summary>
public sealed class CanonicalEndpointGoldenTests
{
    private const string DevConnection =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:41234/devstoreaccount1;TableEndpoint=http://127.0.0.1:41236/devstoreaccount1;";

    private const string AzureConnection = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net";

    private static readonly Uri PublicGraph = new("https://graph.microsoft.com/v1.0");

    [Theory]
    [InlineData("./data", "/home/u", "local:/home/u/data")]
    [InlineData("local:/srv/data/", "/", "local:/srv/data")]
    [InlineData("/", "/", "local:/")]
    public void Canonical_LocalEndpoint_IsPinned(string text, string baseDirectory, string expected)
    {
        var canonical = TestEndpoints.Parsing.Canonical(SyncCommand.ParseEndpoint(TestEndpoints.Parsing, text, "source", baseDirectory));

        Assert.Equal(expected, canonical);
    }

    [Theory]
    [InlineData("blob:backup/a/b/", DevConnection, false, "blob:http://127.0.0.1:41234/devstoreaccount1/backup/a/b")]
    [InlineData("blob:backup", AzureConnection, false, "blob:https://acct.blob.core.windows.net/backup")]
    [InlineData("blob:backup/daily", DevConnection, true, "blob:http://embedded-azurite.invalid/devstoreaccount1/backup/daily")]
    public void Canonical_BlobEndpoint_IsPinned(string text, string storage, bool embedded, string expected)
    {
        using var azure = new AzureAccounts();
        var endpoints = TestEndpoints.Over(azure);
        var endpoint = CliEndpoints.OnStorage(SyncCommand.ParseEndpoint(endpoints, text, "destination", "/"), azure.UseStorage(storage, embedded));

        var canonical = endpoints.Canonical(endpoint);

        Assert.Equal(expected, canonical);
    }

    [Theory]
    [InlineData("graph:b!drive/Docs/2025/", "graph:https://graph.microsoft.com/v1.0|b!drive/Docs/2025")]
    [InlineData("graph:users/ann@contoso.com", "graph:https://graph.microsoft.com/v1.0|users/ann@contoso.com")]
    public void Canonical_GraphEndpoint_IsPinned(string text, string expected)
    {
        var graph = GraphChoice.From(PublicGraph.ToString(), null, null, name => name == "AZURE_TENANT_ID" ? "t" : name == "AZURE_CLIENT_ID" ? "c" : name == "AZURE_CLIENT_SECRET" ? "s" : null);
        var endpoint = graph.Check(SyncCommand.ParseEndpoint(TestEndpoints.Parsing, text, "source", "/"), isSource: true);

        var canonical = TestEndpoints.Parsing.Canonical(endpoint);

        Assert.Equal(expected, canonical);
    }

    [Theory]
    [InlineData("local:/srv/data", "blob:http://embedded-azurite.invalid/devstoreaccount1/backup/daily", "b3bf574937070f9dd5626554cfc48f79")]
    [InlineData("graph:https://graph.microsoft.com/v1.0|b!drive/Docs", "local:/srv/restore", "796fae58f90401d19235b1bf38ca263e")]
    public void PairIdentityCompute_FixedPair_IsPinned(string source, string destination, string expected)
    {
        Assert.Equal(expected, PairIdentity.Compute(source, destination));
    }
}

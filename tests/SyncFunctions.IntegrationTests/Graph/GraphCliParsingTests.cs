using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.IntegrationTests.Cli;

namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>Unit tests of the CLI's Graph settings: URLs, credentials check, canonical endpoints, graph-dev options.</summary>
public sealed class GraphCliParsingTests
{
    private static readonly Uri Loopback = new("http://127.0.0.1:5555/v1.0");

    private static GraphChoice Choice(string? url = null, string? source = null, string? destination = null, Dictionary<string, string>? environment = null) =>
        GraphChoice.From(url, source, destination, name => environment?.GetValueOrDefault(name));

    [Fact]
    public void GraphChoiceFrom_NothingGiven_UsesPublicCloudAndNoCredentials()
    {
        var choice = Choice();

        Assert.Equal(new Uri("https://graph.microsoft.com/v1.0"), choice.SourceUrl);
        Assert.Equal(choice.SourceUrl, choice.DestinationUrl);
        Assert.False(choice.Credentials.IsConfigured);
    }

    [Fact]
    public void GraphChoiceFrom_OptionAndVariable_OptionWinsAndSideOverridesApply()
    {
        var environment = new Dictionary<string, string> { ["SYNCFN_GRAPH_URL"] = "https://graph.microsoft.us/v1.0/" };

        var fromVariable = Choice(environment: environment);
        var fromOption = Choice(url: "http://127.0.0.1:5555/v1.0/", destination: "http://localhost:6666/v1.0", environment: environment);

        Assert.Equal(new Uri("https://graph.microsoft.us/v1.0"), fromVariable.SourceUrl);
        Assert.Equal(Loopback, fromOption.SourceUrl);
        Assert.Equal(new Uri("http://localhost:6666/v1.0"), fromOption.DestinationUrl);
    }

    [Theory]
    [InlineData("ftp://x/v1.0", null, "--graph-url")]
    [InlineData("not a url", null, "--graph-url")]
    [InlineData("http://127.0.0.1:5/v1.0?x=1", null, "--graph-url")]
    [InlineData(null, "/relative", "--destination-graph-url")]
    public void GraphChoiceFrom_MalformedUrl_ThrowsUsageNamingOption(string? url, string? destination, string named)
    {
        var error = Assert.Throws<UsageException>(() => Choice(url: url, destination: destination));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphChoiceFrom_MalformedVariable_ThrowsUsageNamingVariable()
    {
        var error = Assert.Throws<UsageException>(() => Choice(environment: new() { ["SYNCFN_GRAPH_URL"] = "graph.microsoft.com" }));

        Assert.Contains("$SYNCFN_GRAPH_URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphChoiceCheck_NonLoopbackWithoutCredentials_ThrowsUsageNamingVariables()
    {
        var choice = Choice(url: "https://graph.microsoft.com/v1.0");

        var error = Assert.Throws<UsageException>(() => choice.Check(Spec("graph:b!drive"), isSource: true));

        Assert.Contains("AZURE_CLIENT_ID", error.Message, StringComparison.Ordinal);
        Assert.Contains("source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphChoiceCheck_IncompleteCredentials_ThrowsUsageWithoutSecret()
    {
        var choice = Choice(environment: new() { ["AZURE_CLIENT_SECRET"] = "s3cr3t-value" });

        var error = Assert.Throws<UsageException>(() => choice.Check(Spec("graph:me"), isSource: false));

        Assert.Contains("AZURE_TENANT_ID", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphChoiceCheck_ConfiguredCredentials_AcceptsPublicCloud()
    {
        var choice = Choice(environment: new() { ["AZURE_TENANT_ID"] = "t", ["AZURE_CLIENT_ID"] = "c", ["AZURE_CLIENT_SECRET"] = "s" });

        var spec = choice.Check(Spec("graph:sites/contoso.sharepoint.com,1,2/Shared Documents/"), isSource: true);

        Assert.Equal("sites/contoso.sharepoint.com,1,2/Shared Documents", spec.Address);
    }

    [Theory]
    [InlineData("graph:b!drive/a/b/", "b!drive/a/b")]
    [InlineData("graph:me", "me")]
    [InlineData("graph:users/ann@contoso.com/Backup", "users/ann@contoso.com/Backup")]
    public void GraphChoiceCheck_LoopbackWithoutCredentials_NormalizesAndPlacesEndpoint(string text, string expected)
    {
        var spec = Choice(url: Loopback.ToString()).Check(Spec(text), isSource: true);

        Assert.Equal(new SyncEndpoint("graph", expected, Loopback), spec);
    }

    [Fact]
    public void SyncCommandValidate_GraphUserWithoutName_ThrowsUsageNamingRole()
    {
        var error = Assert.Throws<UsageException>(() => SyncCommand.Validate(
            "/d", "graph:users/", 4, null, false, null, false, new ConnectionChoice(null, null, false), "/", TestEndpoints.Parsing, Choice(url: Loopback.ToString())));

        Assert.StartsWith("destination:", error.Message, StringComparison.Ordinal);
        Assert.Contains("names no user", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CliEndpointsFromCanonical_GraphEndpoint_RoundTripsWithBaseUrl()
    {
        var endpoints = TestEndpoints.Parsing;
        var endpoint = Choice(url: Loopback.ToString()).Check(Spec("graph:b!drive/Docs/2025"), isSource: true);

        var canonical = endpoints.Canonical(endpoint);

        Assert.Equal("graph:http://127.0.0.1:5555/v1.0|b!drive/Docs/2025", canonical);
        Assert.Equal(endpoint, CliEndpoints.FromCanonical(endpoints, canonical));
        Assert.Equal(Loopback, CliEndpoints.FromCanonical(endpoints, canonical).Account);
        Assert.Null(CliEndpoints.FromCanonical(endpoints, "local:/srv/data").Account);
    }

    [Fact]
    public void CliEndpointsCanonical_SameDriveAtOtherBaseUrl_IsAnotherPair()
    {
        var spec = Spec("graph:b!drive");

        var here = TestEndpoints.Parsing.Canonical(spec with { Account = Loopback });
        var there = TestEndpoints.Parsing.Canonical(spec with { Account = new Uri("https://graph.microsoft.com/v1.0") });

        Assert.NotEqual(here, there);
    }

    [Theory]
    [InlineData("graph:b!d/a", "graph:b!d/a/b", true)]
    [InlineData("graph:b!d", "graph:b!d/x", true)]
    [InlineData("graph:b!d/a", "graph:b!d/ab", false)]
    [InlineData("graph:b!d/a", "graph:b!other/a", false)]
    public void SyncCommandValidate_GraphFolders_OverlapIsUsageError(string source, string destination, bool overlaps)
    {
        SyncRequest Validate() => SyncCommand.Validate(
            source, destination, 4, null, false, null, false, new ConnectionChoice(null, null, false), "/", TestEndpoints.Parsing, Choice(url: Loopback.ToString()));

        if (overlaps)
        {
            Assert.Contains("overlap", Assert.Throws<UsageException>(Validate).Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("graph", Validate().Destination.Scheme);
        }
    }

    [Fact]
    public void SyncCommandValidate_SameDriveOnTwoServers_IsNoOverlap()
    {
        var request = SyncCommand.Validate(
            "graph:b!d", "graph:b!d", 4, null, false, null, false, new ConnectionChoice(null, null, false), "/", TestEndpoints.Parsing,
            Choice(source: Loopback.ToString(), destination: "http://127.0.0.1:6666/v1.0"));

        Assert.Equal(new Uri("http://127.0.0.1:6666/v1.0"), request.Graph.DestinationUrl);
    }

    [Theory]
    [InlineData(-1, 0, "--port")]
    [InlineData(65536, 0, "--port")]
    [InlineData(0, -5, "--seed-files")]
    public void GraphDevCommandValidate_OutOfRange_ThrowsUsageNamingOption(int port, int seed, string named)
    {
        var error = Assert.Throws<UsageException>(() => GraphDevCommand.Validate(port, null, seed, "/"));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphDevCommandValidate_RelativeDataFolder_ResolvedAgainstBase()
    {
        var options = GraphDevCommand.Validate(8080, "drive-data", 100, "/srv");

        Assert.Equal((8080, "/srv/drive-data", 100), (options.Port, options.DataDir, options.SeedFiles));
    }

    [Fact]
    public void RedactionRedact_GraphPreAuthenticatedUrl_RemovesTempauth()
    {
        var redacted = SyncFunctions.Cli.Redaction.Redact(
            "PUT https://contoso-my.sharepoint.com/personal/a/_api/v2.0/drive/items/x/uploadSession?guid='1'&tempauth=eyJ0eXAiOiJKV1Qi.abc failed");

        Assert.DoesNotContain("eyJ0eXAiOiJKV1Qi", redacted, StringComparison.Ordinal);
        Assert.Contains("tempauth=***", redacted, StringComparison.Ordinal);
    }

    private static SyncEndpoint Spec(string text) => SyncCommand.ParseEndpoint(TestEndpoints.Parsing, text, "source", "/");
}

using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Tests.Endpoints;

namespace SyncFunctions.Graph.Tests;

/// <summary>The <c>graph:</c> scheme: parsing, canonical forms with the base URL, reading them back, stores.</summary>
public sealed class GraphEndpointSchemeTests : IDisposable
{
    private static readonly Uri Loopback = new("http://127.0.0.1:5555/v1.0");
    private readonly List<GraphConnection> _opened = [];
    private readonly GraphEndpointScheme _scheme;

    public GraphEndpointSchemeTests() => _scheme = new GraphEndpointScheme(url =>
    {
        var connection = GraphConnection.Create(url);
        _opened.Add(connection);
        return connection;
    });

    public void Dispose() => _opened.ForEach(c => c.Dispose());

    [Theory]
    [InlineData("graph:b!drive/a/b/", "b!drive/a/b")]
    [InlineData("graph:me", "me")]
    [InlineData("graph:/users/ann@contoso.com/Backup", "users/ann@contoso.com/Backup")]
    [InlineData("graph:sites/contoso.sharepoint.com,1,2/Shared Documents/", "sites/contoso.sharepoint.com,1,2/Shared Documents")]
    public void Parse_ValidText_GivesNormalAddressWithoutBaseUrl(string text, string address)
    {
        Assert.Equal(new SyncEndpoint("graph", address), _scheme.Parse(text, "/", out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("graph:", "'graph:' names no drive")]
    [InlineData("graph:users/", "'graph:users/' names no user")]
    [InlineData("graph:b!x/a/../b", "invalid folder path")]
    public void Parse_InvalidText_NamesTheProblem(string text, string problem)
    {
        Assert.Null(_scheme.Parse(text, "/", out var error));

        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("graph:b!drive/Docs/2025", "http://127.0.0.1:5555/v1.0/", "graph:http://127.0.0.1:5555/v1.0|b!drive/Docs/2025")]
    [InlineData("graph:users/ann@contoso.com", "https://graph.microsoft.com/v1.0", "graph:https://graph.microsoft.com/v1.0|users/ann@contoso.com")]
    public void Canonical_EndpointAtBaseUrl_IsPinned(string text, string baseUrl, string expected)
    {
        var endpoint = _scheme.Parse(text, "/", out _)! with { Account = new Uri(baseUrl) };

        Assert.Equal(expected, _scheme.Canonical(endpoint));
    }

    [Theory]
    [InlineData("graph:b!drive/Docs/2025")]
    [InlineData("graph:b!drive")]
    [InlineData("graph:me/a b/ä|x")]
    [InlineData("graph:users/ann@contoso.com/Backup")]
    [InlineData("graph:sites/contoso.sharepoint.com,1,2/Shared Documents")]
    public void FromCanonical_OfCanonical_RoundTripsWithBaseUrl(string text)
    {
        EndpointSchemeAssert.RoundTrips(_scheme, text, Loopback);
    }

    [Theory]
    [InlineData("graph:b!drive")]
    [InlineData("graph:|b!drive")]
    [InlineData("graph:not a url|b!drive")]
    public void FromCanonical_NoBaseUrl_SaysSo(string canonical)
    {
        Assert.Null(_scheme.FromCanonical(canonical, out var error));

        Assert.Equal($"'{canonical}' has no valid Graph base URL", error);
    }

    [Fact]
    public void FromCanonical_BadDrive_NamesTheProblem()
    {
        Assert.Null(_scheme.FromCanonical("graph:http://127.0.0.1:5555/v1.0|users/", out var error));

        Assert.Contains("names no user", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("graph:b!d/a", "graph:b!d/a/b", true)]
    [InlineData("graph:b!d", "graph:b!d/x", true)]
    [InlineData("graph:b!d/a", "graph:b!d/ab", false)]
    [InlineData("graph:b!d/a", "graph:b!other/a", false)]
    [InlineData("graph:users/u/a", "graph:sites/u/a", false)]
    public void Overlaps_TwoEndpoints_WhenOneFolderHoldsTheOther(string first, string second, bool expected)
    {
        Assert.Equal(expected, _scheme.Overlaps(_scheme.Parse(first, "/", out _)!, _scheme.Parse(second, "/", out _)!));
    }

    [Fact]
    public void CreateStore_EndpointAtBaseUrl_IsADriveStoreThere()
    {
        var store = Assert.IsType<GraphDriveStore>(_scheme.CreateStore(new SyncEndpoint("graph", "b!drive/Docs", Loopback)));

        Assert.Equal("graph:b!drive/Docs at http://127.0.0.1:5555/v1.0", store.DisplayName);
    }

    [Fact]
    public void CreateStore_WithoutBaseUrl_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => _scheme.CreateStore(new SyncEndpoint("graph", "me")));
    }
}

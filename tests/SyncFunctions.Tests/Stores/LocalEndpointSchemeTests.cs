using CsCheck;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Core.Stores;
using SyncFunctions.Tests.Endpoints;

namespace SyncFunctions.Tests.Stores;

public sealed class LocalEndpointSchemeTests
{
    private static readonly LocalEndpointScheme Scheme = new(TimeProvider.System);

    private static readonly Gen<string> Segment = Gen.OneOf(
        Gen.String[Gen.Char.AlphaNumeric, 1, 8],
        Gen.OneOf("a b", "ä", "日本", "x.y", "-", "~", "#"));

    [Theory]
    [InlineData("./data", "/home/u", "local:/home/u/data")]
    [InlineData("local:/srv/data/", "/", "local:/srv/data")]
    [InlineData("local:rel", "/home/u", "local:/home/u/rel")]
    [InlineData("/", "/", "local:/")]
    public void Canonical_ParsedPath_IsAbsoluteWithoutTrailingSlash(string text, string baseDirectory, string expected)
    {
        Assert.Equal(expected, Scheme.Canonical(Scheme.Parse(text, baseDirectory, out _)!));
    }

    [Fact]
    public void Parse_EmptyLocalPath_SaysSo()
    {
        Assert.Null(Scheme.Parse("local:", "/", out var error));

        Assert.Equal("'local:': empty local path", error);
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("local:/srv/a\0b")]
    public void Parse_PathWithNul_IsRefusedWithAMessage(string text)
    {
        Assert.Null(Scheme.Parse(text, "/", out var error));

        Assert.Equal("a local path cannot hold a NUL character", error);
    }

    [Theory]
    [InlineData("local:")]
    [InlineData("blob:x")]
    public void FromCanonical_NotALocalForm_SaysSo(string canonical)
    {
        Assert.Null(Scheme.FromCanonical(canonical, out var error));

        Assert.Contains(canonical, error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromCanonical_OfParsedPath_RoundTrips()
    {
        Segment.Array[0, 5].Select(s => "/" + string.Join('/', s)).Sample(path => EndpointSchemeAssert.RoundTrips(Scheme, path), iter: 500);
    }

    [Fact]
    public void CreateStore_Endpoint_IsAFolderStoreThere()
    {
        var store = Scheme.CreateStore(new SyncEndpoint("local", "/srv/data"));

        Assert.IsType<LocalFolderStore>(store);
        Assert.Contains("/srv/data", store.DisplayName, StringComparison.Ordinal);
    }
}

using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Core.Endpoints;
using SyncFunctions.Core.Stores;

namespace SyncFunctions.Tests.Endpoints;

public sealed class EndpointRegistryTests
{
    private readonly MemoryEndpointScheme _memory = new();
    private readonly EndpointRegistry _registry;

    public EndpointRegistryTests() => _registry = new EndpointRegistry([new LocalEndpointScheme(TimeProvider.System), _memory]);

    [Theory]
    [InlineData("memory:one", "memory", "one")]
    [InlineData("local:/srv/data", "local", "/srv/data")]
    [InlineData("data", "local", "/home/u/data")]
    [InlineData("./a/../b/", "local", "/home/u/b")]
    [InlineData("/abs", "local", "/abs")]
    [InlineData("c:drive-letter-like", "local", "/home/u/c:drive-letter-like")]
    public void Parse_Text_DispatchesByScheme(string text, string scheme, string address)
    {
        var endpoint = _registry.Parse(text, "/home/u", out var error);

        Assert.Null(error);
        Assert.Equal(new SyncEndpoint(scheme, address), endpoint);
    }

    [Theory]
    [InlineData("ftp:x")]
    [InlineData("Memory:one")]
    [InlineData("s3://bucket")]
    public void Parse_UnknownScheme_ErrorListsKnownSchemes(string text)
    {
        Assert.Null(_registry.Parse(text, "/", out var error));

        Assert.Equal($"'{text}': unknown endpoint scheme (use a path, local:PATH or memory:STORE)", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Parse_Empty_SaysSo(string text)
    {
        Assert.Null(_registry.Parse(text, "/", out var error));

        Assert.Equal("an endpoint is empty", error);
    }

    [Fact]
    public void Parse_SchemeRefusesText_GivesItsError()
    {
        Assert.Null(_registry.Parse("memory:", "/", out var error));

        Assert.Equal("'memory:': name a store", error);
    }

    [Fact]
    public void Parse_PlainPathWithoutLocalScheme_IsUnknown()
    {
        var registry = new EndpointRegistry([_memory]);

        Assert.Null(registry.Parse("/srv/data", "/", out var error));

        Assert.Equal("'/srv/data': unknown endpoint scheme (use a path, memory:STORE)", error);
    }

    [Fact]
    public void Constructor_TwoSchemesOfOneName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new EndpointRegistry([_memory, new MemoryEndpointScheme()]));
    }

    [Theory]
    [InlineData("memory:one")]
    [InlineData("local:/srv/data")]
    public void FromCanonical_OfCanonical_RoundTrips(string text)
    {
        var endpoint = _registry.Parse(text, "/", out _)!;

        var canonical = _registry.Canonical(endpoint);

        Assert.Equal(text, canonical);
        Assert.Equal(endpoint, _registry.FromCanonical(canonical, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("blob:http://x/c")]
    [InlineData("/srv/data")]
    [InlineData("")]
    public void FromCanonical_UnknownForm_SaysSo(string canonical)
    {
        Assert.Null(_registry.FromCanonical(canonical, out var error));

        Assert.Equal($"'{canonical}' has an unknown form", error);
    }

    [Fact]
    public void CreateStore_Endpoint_IsBuiltByItsScheme()
    {
        var store = _registry.CreateStore(new SyncEndpoint("memory", "one"));

        Assert.Same(_memory.Stores["one"], store);
        Assert.IsType<LocalFolderStore>(_registry.CreateStore(new SyncEndpoint("local", "/srv/data")));
    }

    [Fact]
    public void CreateStore_UnregisteredScheme_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => _registry.CreateStore(new SyncEndpoint("ftp", "x")));
    }

    [Theory]
    [InlineData("local:/d", "local:/d/inner", true)]
    [InlineData("local:/d/inner", "local:/d", true)]
    [InlineData("local:/d", "local:/dd", false)]
    [InlineData("local:/", "local:/x", true)]
    [InlineData("memory:a", "memory:a", true)]
    [InlineData("memory:a", "local:/home/u/a", false)]
    public void Overlaps_TwoEndpoints_WhenOneHoldsTheOther(string first, string second, bool expected)
    {
        Assert.Equal(expected, _registry.Overlaps(_registry.Parse(first, "/home/u", out _)!, _registry.Parse(second, "/home/u", out _)!));
    }

    [Fact]
    public void Overlaps_SameAddressOnOtherAccounts_IsFalse()
    {
        var here = new SyncEndpoint("memory", "a", new Uri("http://here.invalid/"));

        Assert.False(_registry.Overlaps(here, here with { Account = new Uri("http://there.invalid/") }));
        Assert.True(_registry.Overlaps(here, here with { }));
    }
}

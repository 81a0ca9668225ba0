using SyncFunctions.Abstractions.Endpoints;

namespace SyncFunctions.Tests.Endpoints;

/// <summary>What every endpoint scheme's tests check the same way.</summary>
public static class EndpointSchemeAssert
{
    /// <summary>
    /// <paramref name="text"/> parses; put on <paramref name="account"/>, its canonical form reads back to the same
    /// endpoint, which names the very same canonical form again (pair ids depend on that).
    /// </summary>
    public static void RoundTrips(IEndpointScheme scheme, string text, Uri? account = null)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        var parsed = scheme.Parse(text, "/", out var error);
        Assert.Null(error);
        var endpoint = parsed! with { Account = account };
        var canonical = scheme.Canonical(endpoint);

        var back = scheme.FromCanonical(canonical, out error);

        Assert.Null(error);
        Assert.Equal(endpoint, back);
        Assert.Equal(canonical, scheme.Canonical(back!));
    }
}

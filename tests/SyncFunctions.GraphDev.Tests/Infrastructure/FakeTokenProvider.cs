using Microsoft.Kiota.Abstractions.Authentication;

namespace SyncFunctions.GraphDev.Tests.Infrastructure;

/// <summary>Sends "Authorization: Bearer test-token" to every host (the server accepts any token).</summary>
internal sealed class FakeTokenProvider : BaseBearerTokenAuthenticationProvider
{
    public FakeTokenProvider()
        : base(new Token())
    {
    }

    private sealed class Token : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult("test-token");
    }
}

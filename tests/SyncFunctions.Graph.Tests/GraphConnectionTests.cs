using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph.Tests;

public sealed class GraphConnectionTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000/v1.0", true)]
    [InlineData("http://127.8.9.10/v1.0", true)]
    [InlineData("http://localhost:1/v1.0", true)]
    [InlineData("http://[::1]:80/v1.0", true)]
    [InlineData("https://graph.microsoft.com/v1.0", false)]
    [InlineData("http://10.0.0.1/v1.0", false)]
    public void IsLoopback_Urls_RecognisesLoopbackOnly(string url, bool expected)
    {
        Assert.Equal(expected, GraphConnection.IsLoopback(new Uri(url)));
    }

    [Fact]
    public void Create_NoCredentialsForPublicCloud_ThrowsAuthenticationWithHowToFix()
    {
        var error = Assert.Throws<StorageException>(() => GraphConnection.Create(null, GraphCredentials.None));

        Assert.Equal(StorageErrorKind.Authentication, error.Kind);
        Assert.Contains("AZURE_CLIENT_SECRET", error.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoCredentialsForLoopback_IsAnonymousAtThatBaseUrl()
    {
        using var connection = GraphConnection.Create(new Uri("http://127.0.0.1:9/v1.0/"));

        Assert.True(connection.IsAnonymous);
        Assert.Equal("http://127.0.0.1:9/v1.0", connection.BaseUrl.ToString());
    }

    [Fact]
    public void Create_ClientSecretForNationalCloud_UsesATokenProvider()
    {
        var credentials = new GraphCredentials("tenant", "client", "secret");

        using var connection = GraphConnection.Create(new Uri("https://graph.microsoft.us/v1.0"), credentials);

        Assert.False(connection.IsAnonymous);
        Assert.Equal("https://graph.microsoft.us/v1.0", connection.BaseUrl.ToString());
    }

    [Fact]
    public void Create_IncompleteCredentials_ThrowsAuthenticationNamingWhatIsMissing()
    {
        var error = Assert.Throws<StorageException>(() => GraphConnection.Create(null, new GraphCredentials(ClientSecret: "s")));

        Assert.Equal(StorageErrorKind.Authentication, error.Kind);
        Assert.Contains("AZURE_TENANT_ID", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_Variables_ReadsEveryKindAndHidesTheSecret()
    {
        var variables = new Dictionary<string, string>
        {
            ["AZURE_TENANT_ID"] = "t",
            ["AZURE_CLIENT_ID"] = "c",
            ["AZURE_CLIENT_SECRET"] = "very-secret",
        };

        var credentials = GraphCredentials.FromEnvironment(variables.GetValueOrDefault);
        var managed = GraphCredentials.FromEnvironment(name => name == "SYNCFN_GRAPH_MANAGED_IDENTITY" ? "1" : null);

        Assert.Equal(new GraphCredentials("t", "c", "very-secret"), credentials);
        Assert.DoesNotContain("very-secret", credentials.ToString(), StringComparison.Ordinal);
        Assert.True(managed.UseManagedIdentity);
        Assert.True(managed.IsConfigured);
        Assert.False(GraphCredentials.FromEnvironment(_ => null).IsConfigured);
    }
}

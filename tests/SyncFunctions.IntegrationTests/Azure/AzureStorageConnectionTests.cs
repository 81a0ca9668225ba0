using SyncFunctions.Azure;
using SyncFunctions.Cli.Azurite;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>Connection strings are validated before any request, and no message ever shows the key.</summary>
public sealed class AzureStorageConnectionTests
{
    private const string Key = AzuriteInstance.AccountKey;

    public static TheoryData<string, string> InvalidConnectionStrings => new()
    {
        { "", "it is empty" },
        { "UseDevelopmentStorage=true", "UseDevelopmentStorage is not supported" },
        { "AccountName=acct", "neither AccountKey nor SharedAccessSignature" },
        { $"AccountKey={Key}", "AccountKey is given without AccountName" },
        { "AccountName=acct;AccountKey=not*base64!", "AccountKey is not valid base64" },
        { $"AccountName=acct;AccountKey={Key};Bogus=1", "unknown name 'Bogus'" },
        { "AccountName=acct;just-some-text", "is not of the form Name=Value" },
        { $"AccountName=acct;AccountKey={Key};DefaultEndpointsProtocol=ftp", "DefaultEndpointsProtocol must be 'http' or 'https'" },
        { $"AccountName=acct;AccountKey={Key};BlobEndpoint=not a url", "BlobEndpoint is not an absolute http(s) URL" },
        { $"AccountName=acct;AccountKey={Key};AccountName=b", "'AccountName' is given twice" },
        { "SharedAccessSignature=sv=1&sig=abc", "no BlobEndpoint and no AccountName" },
    };

    [Theory]
    [MemberData(nameof(InvalidConnectionStrings))]
    public void Create_InvalidConnectionString_ThrowsNamingTheProblemWithoutTheKey(string connectionString, string problem)
    {
        var e = Assert.Throws<FormatException>(() => AzureStorageConnection.Create(connectionString));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key[..12], e.Message, StringComparison.Ordinal);
        Assert.Equal(e.Message, AzureStorageConnection.Validate(connectionString));
    }

    [Fact]
    public void Create_KeyPastedAsSettingName_DoesNotEchoIt()
    {
        var e = Assert.Throws<FormatException>(() => AzureStorageConnection.Create($"AccountName=acct;{Key}=x"));

        Assert.Contains("(not shown)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key[..12], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AzuriteStyleString_ExposesAccountAndEndpointsButNoKey()
    {
        using var connection = AzureStorageConnection.Create(AzuriteInstance.BuildConnectionString(40001, 40002, 40003));

        Assert.Equal("devstoreaccount1", connection.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:40001/devstoreaccount1"), connection.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:40003/devstoreaccount1"), connection.TableEndpoint);
        Assert.True(connection.HasAccountKey);
        Assert.DoesNotContain(Key[..12], connection.ToString(), StringComparison.Ordinal);
        Assert.Equal(connection.DisplayName, connection.ToString());
    }

    [Fact]
    public void Create_AccountAndSuffixOnly_DerivesHttpsEndpoints()
    {
        using var connection = AzureStorageConnection.Create($"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), connection.BlobEndpoint);
        Assert.Equal(new Uri("https://acct.table.core.windows.net/"), connection.TableEndpoint);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net/"), connection.QueueEndpoint);
    }

    [Fact]
    public void Create_SasWithBlobEndpointOnly_HasNoTableServiceAndCannotSign()
    {
        using var connection = AzureStorageConnection.Create("BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=?sv=2024&sig=abc");

        Assert.Equal("acct", connection.AccountName);
        Assert.False(connection.HasAccountKey);
        var e = Assert.Throws<InvalidOperationException>(() => connection.TableService);
        Assert.Contains("no TableEndpoint", e.Message, StringComparison.Ordinal);
        Assert.False(BlobObjectStore.Create(connection, "box").CanProvideReadUrls);
    }
}

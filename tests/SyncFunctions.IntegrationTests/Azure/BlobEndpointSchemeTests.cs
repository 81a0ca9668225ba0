using CsCheck;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Azure;
using SyncFunctions.Tests.Endpoints;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>The <c>blob:</c> scheme: parsing, canonical forms on an account, reading them back, stores.</summary>
public sealed class BlobEndpointSchemeTests : IDisposable
{
    private const string DevConnection =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:41234/devstoreaccount1;";

    private static readonly Uri Azurite = new("http://127.0.0.1:41234/devstoreaccount1");
    private static readonly Uri Azure = new("https://acct.blob.core.windows.net/");

    private static readonly Gen<string> Alphanumeric = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], 1, 12];

    private static readonly Gen<string> Container = Gen.Select(Alphanumeric, Gen.Bool, Alphanumeric)
        .Select((head, hyphen, tail) => head + (hyphen ? "-" : "") + tail)
        .Where(name => name.Length >= 3);

    private static readonly Gen<string> Prefix = Gen.OneOf(Gen.String[Gen.Char.AlphaNumeric, 1, 8], Gen.OneOf("a b", "ä", "日本", "x.y", "#", "%20"))
        .Array[0, 4].Select(segments => string.Join('/', segments));

    private readonly InUseAccounts _accounts = new();
    private readonly BlobEndpointScheme _scheme;

    public BlobEndpointSchemeTests() => _scheme = new BlobEndpointScheme(_accounts, TimeProvider.System);

    public void Dispose() => _accounts.Dispose();

    [Theory]
    [InlineData("blob:backup", "backup")]
    [InlineData("blob:backup/a/b/", "backup/a/b")]
    [InlineData("blob://backup//daily//", "backup/daily")]
    public void Parse_ValidText_GivesNormalAddressOnNoAccount(string text, string address)
    {
        Assert.Equal(new SyncEndpoint("blob", address), _scheme.Parse(text, "/", out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("blob:NO", "invalid container name 'NO': container names are 3 to 63 characters long")]
    [InlineData("blob:", "invalid container name '': container names are 3 to 63 characters long")]
    [InlineData("blob:Bad_Name", "invalid container name 'Bad_Name': container names hold only lower-case letters, digits and '-'")]
    [InlineData("blob:a--b", "invalid container name 'a--b': container names start and end with a letter or digit and have no '--'")]
    [InlineData("blob:backup/a/../b", "prefix 'a/../b': path escapes the root ('.' or '..' segment)")]
    public void Parse_InvalidText_NamesTheProblem(string text, string problem)
    {
        Assert.Null(_scheme.Parse(text, "/", out var error));

        Assert.Equal($"'{text}': {problem}", error);
    }

    [Theory]
    [InlineData("blob:backup/a/b", "http://127.0.0.1:41234/devstoreaccount1", "blob:http://127.0.0.1:41234/devstoreaccount1/backup/a/b")]
    [InlineData("blob:backup", "https://acct.blob.core.windows.net/", "blob:https://acct.blob.core.windows.net/backup")]
    [InlineData("blob:backup/daily", "http://embedded-azurite.invalid/devstoreaccount1", "blob:http://embedded-azurite.invalid/devstoreaccount1/backup/daily")]
    public void Canonical_EndpointOnAccount_IsPinned(string text, string account, string expected)
    {
        var endpoint = _scheme.Parse(text, "/", out _)! with { Account = new Uri(account) };

        Assert.Equal(expected, _scheme.Canonical(endpoint));
    }

    [Fact]
    public void Canonical_OnNoAccount_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => _scheme.Canonical(new SyncEndpoint("blob", "backup")));
    }

    [Fact]
    public void FromCanonical_OfCanonical_RoundTripsOnEveryAccount()
    {
        _accounts.Use(Azurite);
        _accounts.Use(Azure);
        Gen.Select(Container, Prefix, Gen.Bool).Sample(
            (container, prefix, onAzure) => EndpointSchemeAssert.RoundTrips(_scheme, "blob:" + container + (prefix.Length > 0 ? "/" + prefix : ""), onAzure ? Azure : Azurite),
            iter: 500);
    }

    [Fact]
    public void FromCanonical_AccountsSharingAPrefix_TakesTheLongest()
    {
        var shorter = new Uri("http://127.0.0.1:41234/");
        _accounts.Use(shorter);
        _accounts.Use(Azurite);

        var endpoint = _scheme.FromCanonical("blob:http://127.0.0.1:41234/devstoreaccount1/backup", out _);

        Assert.Equal(new SyncEndpoint("blob", "backup", Azurite), endpoint);
    }

    [Theory]
    [InlineData(false, "'blob:https://other.blob.core.windows.net/c' is not on the storage account in use (none)")]
    [InlineData(true, "'blob:https://other.blob.core.windows.net/c' is not on the storage account in use (http://127.0.0.1:41234/devstoreaccount1)")]
    public void FromCanonical_OtherAccount_NamesTheAccountsInUse(bool azuriteInUse, string expected)
    {
        if (azuriteInUse)
        {
            _accounts.Use(Azurite);
        }

        Assert.Null(_scheme.FromCanonical("blob:https://other.blob.core.windows.net/c", out var error));

        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("blob:backup/a", "blob:backup/a/b", true)]
    [InlineData("blob:backup", "blob:backup/x", true)]
    [InlineData("blob:backup/a", "blob:backup/ab", false)]
    [InlineData("blob:backup/a", "blob:other/a", false)]
    public void Overlaps_TwoEndpoints_WhenOnePrefixHoldsTheOther(string first, string second, bool expected)
    {
        Assert.Equal(expected, _scheme.Overlaps(_scheme.Parse(first, "/", out _)!, _scheme.Parse(second, "/", out _)!));
    }

    [Fact]
    public void CreateStore_EndpointOnAccountInUse_IsAContainerStoreBelowThePrefix()
    {
        _accounts.Use(Azurite, DevConnection);

        var store = Assert.IsType<BlobObjectStore>(_scheme.CreateStore(new SyncEndpoint("blob", "backup/a/b", Azurite)));

        Assert.Equal(("backup", "a/b/"), (store.ContainerName, store.Prefix));
    }

    [Fact]
    public void CreateStore_AccountNotInUse_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => _scheme.CreateStore(new SyncEndpoint("blob", "backup", Azure)));
    }

    /// <summary>Accounts a test puts in use; connects (without a request) only those given a connection string.</summary>
    private sealed class InUseAccounts : IBlobAccounts, IDisposable
    {
        private readonly Dictionary<Uri, string?> _accounts = [];
        private readonly List<AzureStorageConnection> _opened = [];

        public IReadOnlyCollection<Uri> InUse => _accounts.Keys;

        public void Use(Uri account, string? connectionString = null) => _accounts[account] = connectionString;

        public AzureStorageConnection Connect(Uri account)
        {
            if (_accounts.GetValueOrDefault(account) is not { } connectionString)
            {
                throw new InvalidOperationException($"no account {account} is in use");
            }

            var connection = AzureStorageConnection.Create(connectionString);
            _opened.Add(connection);
            return connection;
        }

        public void Dispose() => _opened.ForEach(c => c.Dispose());
    }
}

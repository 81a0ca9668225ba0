using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SyncFunctions.IntegrationTests.Infrastructure;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>End-to-end: the pairs of <c>syncfn pairs</c> are the pairs of <c>syncfn serve</c>'s <c>/api/pairs</c>, both ways.</summary>
[Collection("azurite")]
public sealed partial class CliPairsServeTests(AzuriteFixture azurite) : PrivateAzuriteCliTestBase(azurite)
{
    private const string Key = "pairs-test-key-0123456789";

    [Fact]
    public async Task Pairs_AddedByCliOrOverHttp_SameCatalogBothWays()
    {
        var source = NewTree("src");
        source.Write("a.txt", "alpha");
        source.Write("sub/b.txt", "beta");
        var cliCopy = NewTree("cli-copy");
        var httpCopy = NewTree("http-copy");
        await using var serve = CliRunner.Start(
            Home.Root,
            ["serve", "--port", "0", "--task-hub", "h" + Guid.NewGuid().ToString("N")[..12], "--storage", PrivateStorage],
            environment: new Dictionary<string, string?> { ["SYNCFN_API_KEY"] = Key });
        using var http = await ConnectAsync(serve);

        var added = await Run("pairs", "add", "from-cli", source.Root, cliCopy.Root, "--schedule", "0 0 0 1 1 *", "--max-delete", "5");
        var seenByServe = await http.GetFromJsonAsync<JsonElement>("api/pairs/from-cli");
        using var posted = await http.PostAsync("api/pairs", new StringContent(
            JsonSerializer.Serialize(new { name = "from-http", source = source.Root, destination = httpCopy.Root, options = new { parallel = 3 } }), Encoding.UTF8, "application/json"));
        var list = await Run("pairs", "list", "--json");
        var shown = await Run("pairs", "show", "from-http", "--json");
        var synced = await Run("sync", "from-http", "--json");
        using var deleted = await http.DeleteAsync("api/pairs/from-cli");
        var gone = await Run("pairs", "show", "from-cli");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal("local:" + cliCopy.Root, seenByServe.GetProperty("destination").GetString());
        Assert.Equal("0 0 0 1 1 *", seenByServe.GetProperty("schedule").GetString());
        Assert.Equal("5", seenByServe.GetProperty("options").GetProperty("maxDelete").GetString());
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        Assert.Equal(["from-cli", "from-http"], list.Json.GetProperty("pairs").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(3, shown.Json.GetProperty("options").GetProperty("parallel").GetInt32());
        Assert.True(synced.ExitCode == 0, synced.ToString());
        Assert.Equal(source.Snapshot(), httpCopy.Snapshot());
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(3, gone.ExitCode);

        serve.Signal(15);
        var exit = await serve.WaitForExitAsync();
        Assert.True(exit.ExitCode == 0, exit.ToString());
    }

    private static async Task<HttpClient> ConnectAsync(CliRunner serve)
    {
        var line = await serve.WaitForStdoutAsync(l => l.StartsWith("serve listening on ", StringComparison.Ordinal));
        var match = ListeningLine().Match(line);
        Assert.True(match.Success, line);
        return new HttpClient { BaseAddress = new Uri(match.Groups[1].Value + "/"), DefaultRequestHeaders = { { "x-functions-key", Key } } };
    }

    [GeneratedRegex("^serve listening on (http://127\\.0\\.0\\.1:[0-9]+)$")]
    private static partial Regex ListeningLine();
}

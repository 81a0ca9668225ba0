using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.Abstractions;
using SyncFunctions.Orchestration.Service;
using SyncFunctions.Tests.Fakes;
using static SyncFunctions.Tests.Fakes.EventGridJson;

namespace SyncFunctions.Orchestration.Tests;

/// <summary>The blob-events webhook: handshakes, both schemas, URL to pair mapping, bad input, nothing written for no pair.</summary>
public sealed class BlobEventsWebhookServiceTests
{
    private const string Azurite = "http://127.0.0.1:10000/devstoreaccount1";
    private const string Azure = "https://acct.blob.core.windows.net";
    private static readonly Uri EmbeddedIdentity = new("http://embedded-azurite.invalid/devstoreaccount1");
    private readonly InMemoryLedger _ledger = new();
    private readonly List<string> _started = [];
    private readonly BlobEventsWebhookService _service;

    public BlobEventsWebhookServiceTests()
    {
        _service = Service([]);
    }

    [Fact]
    public async Task HandleAsync_EventGridValidationEvent_EchoesTheCodeAndWritesNothing()
    {
        await AddPairAsync("docs", $"blob:{Azurite}/src");

        var reply = await PostAsync(Validation("512d38b6-c7b8-40c8-89fe-f46f9e9622b6"));

        Assert.Equal(200, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", JsonDocument.Parse(reply.Body!).RootElement.GetProperty("validationResponse").GetString());
        Assert.Empty(_started);
    }

    [Fact]
    public async Task HandleAsync_CloudEventsOptionsHandshake_EchoesTheOriginAndAllowsAnyRate()
    {
        var reply = await _service.HandleAsync(new BlobEventsRequest("OPTIONS", new Dictionary<string, string> { ["webhook-request-origin"] = "eventgrid.azure.net" }, default), default);

        Assert.Equal(200, reply.Status);
        Assert.Equal("eventgrid.azure.net", reply.Headers["WebHook-Allowed-Origin"]);
        Assert.Equal("*", reply.Headers["WebHook-Allowed-Rate"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("evil\r\nX-Injected: 1")]
    public async Task HandleAsync_OptionsWithoutAUsableOrigin_Gets400Problem(string? origin)
    {
        var headers = origin is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["WebHook-Request-Origin"] = origin };

        var reply = await _service.HandleAsync(new BlobEventsRequest("OPTIONS", headers, default), default);

        Assert.Equal(400, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Empty(reply.Headers);
    }

    [Fact]
    public async Task HandleAsync_EventGridBatch_StagesEachPathOfThePairAndStartsItOnce()
    {
        var pairId = await AddPairAsync("docs", $"blob:{Azurite}/src");

        var reply = await PostAsync(EventGridBatch(
            (Created, $"{Azurite}/src/a/b.txt", "src", "a/b.txt"),
            (Deleted, $"{Azurite}/src/gone.txt", "src", "gone.txt"),
            (Created, $"{Azurite}/src/a/b.txt", "src", "a/b.txt"),
            (Created, $"{Azurite}/src/with%20space%C3%A4.txt", "src", "with spaceä.txt")));

        Assert.Equal(200, reply.Status);
        Assert.Equal(["a/b.txt", "gone.txt", "with spaceä.txt"], _ledger.ChangedPathsSnapshot(pairId).Select(p => p.Path));
        Assert.Equal(["docs"], _started);
        var body = JsonDocument.Parse(reply.Body!).RootElement;
        Assert.Equal((4, 3, 0), (body.GetProperty("events").GetInt32(), body.GetProperty("staged").GetInt32(), body.GetProperty("ignored").GetInt32()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HandleAsync_CloudEvents_StagesThePaths(bool batch)
    {
        var pairId = await AddPairAsync("docs", $"blob:{Azure}/src");

        var reply = await PostAsync(batch
            ? CloudEvents(true, (Created, $"{Azure}/src/one.txt", "src", "one.txt"), (Deleted, $"{Azure}/src/two.txt", "src", "two.txt"))
            : CloudEvents(false, (Created, $"{Azure}/src/one.txt", "src", "one.txt")));

        Assert.Equal(200, reply.Status);
        Assert.Equal(batch ? ["one.txt", "two.txt"] : ["one.txt"], _ledger.ChangedPathsSnapshot(pairId).Select(p => p.Path));
        Assert.Equal(["docs"], _started);
    }

    [Fact]
    public async Task HandleAsync_PrefixedPairsAndOtherContainers_MapsEachBlobToEveryPairBelowWhichItLies()
    {
        var whole = await AddPairAsync("whole", $"blob:{Azure}/src");
        var reports = await AddPairAsync("reports", $"blob:{Azure}/src/reports");
        var other = await AddPairAsync("other", $"blob:{Azure}/other");
        var local = await AddPairAsync("local", "local:/data/src");

        var reply = await PostAsync(EventGridBatch(
            (Created, $"{Azure}/src/reports/q1.csv", "src", "reports/q1.csv"),
            (Created, $"{Azure}/src/reportsX/no.csv", "src", "reportsX/no.csv"),
            (Created, "https://ACCT.blob.core.windows.net/src/top.txt", "src", "top.txt"),
            (Created, "https://elsewhere.blob.core.windows.net/src/x.txt", "src", "x.txt")));

        Assert.Equal(200, reply.Status);
        Assert.Equal(["reports/q1.csv", "reportsX/no.csv", "top.txt"], _ledger.ChangedPathsSnapshot(whole).Select(p => p.Path));
        Assert.Equal(["q1.csv"], _ledger.ChangedPathsSnapshot(reports).Select(p => p.Path));
        Assert.Empty(_ledger.ChangedPathsSnapshot(other));
        Assert.Empty(_ledger.ChangedPathsSnapshot(local));
        Assert.Equal(["reports", "whole"], _started.Order(StringComparer.Ordinal));
        Assert.Equal(1, JsonDocument.Parse(reply.Body!).RootElement.GetProperty("ignored").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_AccountAlias_MapsTheRealEndpointToThePairsIdentity()
    {
        var service = Service([new BlobAccountAlias(new Uri("http://127.0.0.1:54321/devstoreaccount1"), EmbeddedIdentity)]);
        var pairId = await AddPairAsync("docs", $"blob:{EmbeddedIdentity.ToString().TrimEnd('/')}/src");

        var reply = await service.HandleAsync(Post(EventGridBatch((Created, "http://127.0.0.1:54321/devstoreaccount1/src/a.txt", "src", "a.txt"))), default);

        Assert.Equal(200, reply.Status);
        Assert.Equal(["a.txt"], _ledger.ChangedPathsSnapshot(pairId).Select(p => p.Path));
    }

    [Fact]
    public async Task HandleAsync_EventsForNoPair_Answers200AndWritesNothing()
    {
        await AddPairAsync("docs", $"blob:{Azurite}/src");

        var reply = await PostAsync(EventGridBatch(
            (Created, $"{Azurite}/elsewhere/a.txt", "elsewhere", "a.txt"),
            ("Microsoft.Storage.BlobTierChanged", $"{Azurite}/src/a.txt", "src", "a.txt")));

        Assert.Equal(200, reply.Status);
        Assert.Equal(0, _ledger.CallCount(nameof(ILedger.StageChangedPathsAsync)));
        Assert.Empty(_started);
    }

    [Theory]
    [InlineData("/src/a/../../secret.txt")]
    [InlineData("/src/./a.txt")]
    [InlineData("/src/a%2F..%2F..%2Fb")]
    [InlineData("/src/a//b.txt")]
    [InlineData("/src/tab%09name")]
    [InlineData("/src/back%5Cslash")]
    public async Task HandleAsync_PathTheRulesRefuse_IsIgnoredAndNothingWritten(string path)
    {
        await AddPairAsync("docs", $"blob:{Azurite}/src");

        var reply = await PostAsync(EventGridBatch((Created, Azurite + path, "src", "x")));

        Assert.Equal(200, reply.Status);
        Assert.Equal(0, _ledger.CallCount(nameof(ILedger.StageChangedPathsAsync)));
        Assert.Empty(_started);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("[{\"eventType\":\"Microsoft.Storage.BlobCreated\"}]")]
    [InlineData("[{\"id\":\"1\",\"subject\":\"s\",\"eventType\":\"Microsoft.Storage.BlobCreated\",\"eventTime\":\"2026-01-01T00:00:00Z\",\"dataVersion\":\"\",\"data\":{\"url\":\"ftp://x/y/z\"}}]")]
    [InlineData("[{\"id\":\"1\",\"subject\":\"s\",\"eventType\":\"Microsoft.Storage.BlobCreated\",\"eventTime\":\"2026-01-01T00:00:00Z\",\"dataVersion\":\"\",\"data\":\"oops\"}]")]
    [InlineData("[{\"id\":\"1\",\"subject\":\"s\",\"eventType\":\"Microsoft.Storage.BlobCreated\",\"eventTime\":\"2026-01-01T00:00:00Z\",\"dataVersion\":\"\",\"data\":{}}]")]
    [InlineData("{\"specversion\":\"1.0\",\"type\":\"Microsoft.Storage.BlobCreated\"}")]
    [InlineData("[{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\"},{\"id\":\"1\",\"subject\":\"s\",\"eventType\":\"t\",\"eventTime\":\"2026-01-01T00:00:00Z\",\"dataVersion\":\"\",\"data\":{}}]")]
    public async Task HandleAsync_MalformedBody_Gets400ProblemAndWritesNothing(string body)
    {
        await AddPairAsync("docs", $"blob:{Azurite}/src");

        var reply = await PostAsync(body);

        Assert.Equal(400, reply.Status);
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal(400, JsonDocument.Parse(reply.Body!).RootElement.GetProperty("status").GetInt32());
        Assert.Equal(0, _ledger.CallCount(nameof(ILedger.StageChangedPathsAsync)));
        Assert.Empty(_started);
    }

    [Fact]
    public async Task HandleAsync_BodyOverTheBound_Gets413()
    {
        var reply = await _service.HandleAsync(new BlobEventsRequest("POST", new Dictionary<string, string>(), new byte[BlobEventsWebhookService.MaxBodyBytes + 1]), default);

        Assert.Equal(413, reply.Status);
    }

    [Fact]
    public async Task HandleAsync_OtherMethod_Gets405()
    {
        var reply = await _service.HandleAsync(new BlobEventsRequest("GET", new Dictionary<string, string>(), default), default);

        Assert.Equal(405, reply.Status);
        Assert.Equal("POST, OPTIONS", reply.Headers["Allow"]);
    }

    [Fact]
    public async Task HandleAsync_GeneratedBodies_NeverAnythingButA2xxOr4xx()
    {
        await AddPairAsync("docs", $"blob:{Azurite}/src");
        var random = new Random(1234);
        string[] pieces = ["[", "]", "{", "}", ",", ":", "\"specversion\"", "\"1.0\"", "\"eventType\"", "\"" + Created + "\"", "\"data\"", "\"url\"", "\"" + Azurite + "/src/a\"", "\"id\"", "\"x\"", "null", "1", "\"subject\"", "\"dataVersion\"", "\"eventTime\"", "\"2026-01-01T00:00:00Z\"", "\"type\"", "\"source\""];
        var valid = EventGridBatch((Created, $"{Azurite}/src/a.txt", "src", "a.txt"));
        for (var i = 0; i < 2000; i++)
        {
            var body = i % 2 == 0
                ? string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => pieces[random.Next(pieces.Length)]))
                : Mutate(valid, random);

            var reply = await PostAsync(body);

            Assert.True(reply.Status is 200 or 400, $"{reply.Status} for {body}");
        }
    }

    private static string Mutate(string json, Random random)
    {
        const string Noise = "{}[]\",:x0 \\";
        var chars = json.ToCharArray();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
        }

        return new string(chars);
    }

    private BlobEventsWebhookService Service(IReadOnlyList<BlobAccountAlias> aliases) => new(
        _ledger,
        _ledger,
        (name, _) =>
        {
            lock (_started)
            {
                _started.Add(name);
            }

            return Task.FromResult(new ServiceResult<RunStarted>(ServiceOutcome.Accepted, new RunStarted("run-1", name, "started", null)));
        },
        aliases,
        TimeProvider.System,
        NullLogger.Instance);

    private async Task<string> AddPairAsync(string name, string source)
    {
        var pairId = "p-" + name;
        Assert.NotNull(await _ledger.TryAddDefinitionAsync(new PairDefinition(name, pairId, source, "local:/dest/" + name), default));
        return pairId;
    }

    private Task<BlobEventsReply> PostAsync(string body) => _service.HandleAsync(Post(body), default);

    private static BlobEventsRequest Post(string body) =>
        new("POST", new Dictionary<string, string> { ["Content-Type"] = "application/json", ["aeg-event-type"] = "Notification" }, Encoding.UTF8.GetBytes(body));
}

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using SyncFunctions.App.Composition;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using SyncFunctions.Orchestration.Schedules;
using static SyncFunctions.App.Tests.Infrastructure.AppFixture;

namespace SyncFunctions.App.Tests;

/// <summary>
/// The pair functions called as the Functions host calls them (a request without any key: the host checked the
/// function key), over an in-memory ledger: the same routes, JSON and problem details as <c>syncfn serve</c>, and a
/// scheduled pair's schedule orchestration started when it is added and stopped when it is removed.
/// </summary>
public sealed class PairFunctionsTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly AppFixture _fixture = new();
    private readonly RecordingDurableClient _client = new();
    private readonly PairFunctions _functions;

    public PairFunctionsTests() => _functions = new PairFunctions(_fixture.App);

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Pairs_AddListGetRemove_AnsweredWithoutAKeyCheck()
    {
        var source = _fixture.Folder("src", ("a.txt", "a"));
        var destination = _fixture.Folder("dst");

        var added = await AddAsync(Json(new { name = "docs", source, destination, schedule = "0 */15 * * * *", options = new { parallel = 4 } }));
        Assert.Equal(201, added.Status);
        Assert.Equal($"https://{Host}/api/pairs/docs", added.Location);
        Assert.Equal("docs", added.Json.GetProperty("name").GetString());
        Assert.Equal("local:" + source, added.Json.GetProperty("source").GetString());
        Assert.Equal(4, added.Json.GetProperty("options").GetProperty("parallel").GetInt32());
        Assert.Equal(ScheduleNames.Orchestrator, _client.Instances["schedule-docs"].Name);
        Assert.Equal(OrchestrationRuntimeStatus.Pending, _client.Instances["schedule-docs"].RuntimeStatus);

        var listRequest = Request("GET", "/api/pairs");
        var list = await ExecuteAsync(listRequest, await _functions.ListAsync(listRequest, Ct));
        Assert.Equal(200, list.Status);
        Assert.Equal(["docs"], list.Json.EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        var shown = await GetAsync("docs");
        Assert.Equal(200, shown.Status);
        Assert.Equal("0 */15 * * * *", shown.Json.GetProperty("schedule").GetString());

        var removeRequest = Request("DELETE", "/api/pairs/docs");
        var removed = await ExecuteAsync(removeRequest, await _functions.RemoveAsync(removeRequest, "docs", _client, Ct));
        Assert.Equal(200, removed.Status);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, _client.Instances["schedule-docs"].RuntimeStatus);
        Assert.Equal(404, (await GetAsync("docs")).Status);
        Assert.Null(await _fixture.Ledger.GetDefinitionAsync("docs", Ct));
    }

    [Fact]
    public async Task AddPair_NameTaken_ConflictAndTheFirstKept()
    {
        var (source, destination) = (_fixture.Folder("s"), _fixture.Folder("d"));
        Assert.Equal(201, (await AddAsync(Json(new { name = "once", source, destination }))).Status);

        var again = await AddAsync(Json(new { name = "once", source = _fixture.Folder("other"), destination }));

        Assert.Equal(409, again.Status);
        Assert.Equal("application/problem+json", again.ContentType);
        Assert.Equal("local:" + source, (await _fixture.Ledger.GetDefinitionAsync("once", Ct))!.Source);
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { "{", "not valid" },
        { "null", "empty or null" },
        { "[1]", "not valid" },
        { Json(new { name = "x", source = "SRC", destination = "DST", surprise = 1 }), "surprise" },
        { Json(new { name = "../etc", source = "SRC", destination = "DST" }), "name" },
        { Json(new { name = "x", source = "SRC" }), "destination" },
        { Json(new { name = "x", source = "SRC", destination = "nope:x" }), "scheme" },
        { Json(new { name = "x", source = "SRC", destination = "DST", schedule = "*/5 * * * *" }), "six-field" },
        { Json(new { name = "x", source = "SRC", destination = "DST", options = new { parallel = 0 } }), "parallel" },
        { Json(new { name = "x", source = "SRC", destination = "DST", options = new { maxDelete = "lots" } }), "maxDelete" },
        { Json(new { name = "x", source = "SRC", destination = "SRC/inner" }), "overlap" },
        { Json(new { name = 7, source = "SRC", destination = "DST" }), "$.name" },
        { Json(new { name = "a..b", source = "SRC/missing", destination = "\u0000" }), "NUL character" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task AddPair_BadBody_400ProblemNamingTheProblemAndNothingStored(string body, string expected)
    {
        var (source, destination) = (_fixture.Folder("s"), _fixture.Folder("d"));

        var response = await AddAsync(body.Replace("SRC", Escape(source), StringComparison.Ordinal).Replace("DST", Escape(destination), StringComparison.Ordinal));

        Assert.True(response.Status == 400, $"{response.Status} {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(400, response.Json.GetProperty("status").GetInt32());
        Assert.Contains(expected, response.Json.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await _fixture.Ledger.ListDefinitionsAsync(Ct).ToListAsync());
    }

    [Fact]
    public async Task AddPair_NotJson_415Problem()
    {
        var response = await AddAsync("name=x", "application/x-www-form-urlencoded");

        Assert.Equal(415, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
    }

    [Fact]
    public async Task AddPair_BodyOverTheLimit_413ProblemWithoutReadingIt()
    {
        var response = await AddAsync("{\"name\":\"" + new string('x', Http.SyncHttp.MaxBodyBytes) + "\"}");

        Assert.Equal(413, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Empty(await _fixture.Ledger.ListDefinitionsAsync(Ct).ToListAsync());
    }

    [Theory]
    [InlineData("bad name", 400)]
    [InlineData("none", 404)]
    public async Task GetPair_BadOrUnknownName_ProblemDetails(string name, int status)
    {
        var response = await GetAsync(name);

        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
    }

    [Fact]
    public async Task Pairs_AppNotConfigured_503ProblemNamingTheSetting()
    {
        var owner = _fixture.App.Owner;
        using var host = new AppHost(ct => AppComposition.CreateAsync(AppSettings.From(_ => null), NullLoggerFactory.Instance, TimeProvider.System, owner, ct), owner);
        var unconfigured = new PairFunctions(host);
        var request = Request("GET", "/api/pairs");

        var response = await ExecuteAsync(request, await unconfigured.ListAsync(request, Ct));

        Assert.Equal(503, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(AppSettings.StorageVariable, response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<Response> AddAsync(string body, string contentType = "application/json")
    {
        var request = Request("POST", "/api/pairs", body, contentType);
        return await ExecuteAsync(request, await _functions.AddAsync(request, _client, Ct));
    }

    private async Task<Response> GetAsync(string name)
    {
        var request = Request("GET", "/api/pairs/" + name);
        return await ExecuteAsync(request, await _functions.GetAsync(request, name, Ct));
    }

    private static string Escape(string text) => System.Text.Json.JsonEncodedText.Encode(text).ToString();
}

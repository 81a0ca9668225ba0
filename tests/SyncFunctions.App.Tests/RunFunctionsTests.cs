using Microsoft.DurableTask.Client;
using SyncFunctions.Abstractions;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Service;
using static SyncFunctions.App.Tests.Infrastructure.AppFixture;

namespace SyncFunctions.App.Tests;

/// <summary>
/// The run functions called directly: the HTTP ones over a recording Durable client (what the <c>[DurableClient]</c>
/// binding gives), and a whole run driven through the activity wrappers in the orchestrator's order, so the wrappers
/// are shown to reach the same run steps <c>syncfn serve</c> runs.
/// </summary>
public sealed class RunFunctionsTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly AppFixture _fixture = new();
    private readonly RecordingDurableClient _client = new();
    private readonly RunHttpFunctions _http;
    private readonly RunFunctions _durable;
    private readonly string _source;
    private readonly string _destination;

    public RunFunctionsTests()
    {
        _http = new RunHttpFunctions(_fixture.App);
        _durable = new RunFunctions(_fixture.App.Steps);
        _source = _fixture.Folder("src", ("a.txt", "alpha"), ("d/b.txt", "bravo"), ("d/e/c.txt", "charlie"));
        _destination = _fixture.Folder("dst");
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Run_StartedOverHttpAndDrivenThroughTheActivityWrappers_DestinationEqualsSourceAndStatusCompleted()
    {
        await AddPairAsync("docs");

        var started = await StartAsync("docs");
        Assert.Equal(202, started.Status);
        var id = started.Json.GetProperty("id").GetString()!;
        Assert.Equal($"https://{Host}/api/runs/{id}", started.Location);
        Assert.Equal(started.Location, started.Json.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal($"https://{Host}/api/runs/{id}/terminate", started.Json.GetProperty("terminatePostUri").GetString());
        Assert.Equal($"https://{Host}/api/runs/{id}/events", started.Json.GetProperty("eventsUri").GetString());
        Assert.Equal("started", started.Json.GetProperty("kind").GetString());
        var input = _client.Instances[id].ReadInputAs<RunOrchestrationInput>()!;
        Assert.Equal(RunActivityNames.Orchestrator, _client.Instances[id].Name);
        Assert.Equal(id, input.RunId);

        var pending = await StatusAsync(id);
        Assert.Equal(200, pending.Status);
        Assert.Equal("Pending", pending.Json.GetProperty("runtimeStatus").GetString());

        var finalized = await RunDriver.DriveAsync(_durable, input);
        Assert.Equal(RunStatus.Succeeded, finalized.Status);
        _client.Complete(id, finalized);
        Assert.Equal(Snapshot(_source), Snapshot(_destination));

        var status = await StatusAsync(id);
        Assert.Equal("Completed", status.Json.GetProperty("runtimeStatus").GetString());
        Assert.Equal(3, status.Json.GetProperty("customStatus").GetProperty("files").GetInt64());
        Assert.Equal("succeeded", status.Json.GetProperty("output").GetProperty("status").GetString());

        var eventsRequest = Request("GET", $"/api/runs/{id}/events");
        var events = await ExecuteAsync(eventsRequest, await _http.EventsAsync(eventsRequest, id, _client, Ct));
        Assert.Equal("text/event-stream", events.ContentType);
        Assert.StartsWith("event: status\ndata: {", events.Body, StringComparison.Ordinal);
        Assert.Contains("event: end\ndata: {\"id\":\"" + id + "\",\"runtimeStatus\":\"Completed\"}", events.Body, StringComparison.Ordinal);

        var listRequest = Request("GET", "/api/runs", query: "?pair=docs");
        var list = await ExecuteAsync(listRequest, await _http.ListAsync(listRequest, _client, Ct));
        Assert.Equal(200, list.Status);
        Assert.Equal([id], list.Json.EnumerateArray().Select(r => r.GetProperty("id").GetString()));

        var terminateRequest = Request("POST", $"/api/runs/{id}/terminate");
        var ended = await ExecuteAsync(terminateRequest, await _http.TerminateAsync(terminateRequest, id, _client, Ct));
        Assert.Equal(409, ended.Status);
    }

    [Fact]
    public async Task StartRun_WhileOneIsActive_409WithTheActiveRunAndItsStatusUrl()
    {
        await AddPairAsync("busy");
        var first = (await StartAsync("busy")).Json.GetProperty("id").GetString()!;

        var second = await StartAsync("busy");

        Assert.Equal(409, second.Status);
        Assert.Equal("application/problem+json", second.ContentType);
        Assert.Equal(first, second.Json.GetProperty("activeRunId").GetString());
        Assert.Equal($"https://{Host}/api/runs/{first}", second.Json.GetProperty("statusQueryGetUri").GetString());
        Assert.Single(_client.Instances);
    }

    [Fact]
    public async Task TerminateRun_Running_202TerminatedInstanceAndRunCancelled()
    {
        await AddPairAsync("stop");
        var id = (await StartAsync("stop")).Json.GetProperty("id").GetString()!;

        var request = Request("POST", $"/api/runs/{id}/terminate");
        var response = await ExecuteAsync(request, await _http.TerminateAsync(request, id, _client, Ct));

        Assert.Equal(202, response.Status);
        Assert.Equal("Terminated", response.Json.GetProperty("runtimeStatus").GetString());
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, _client.Instances[id].RuntimeStatus);
        Assert.Equal(RunStatus.Cancelled, (await _fixture.Ledger.FindRunAsync(id, Ct))!.Status);
    }

    [Theory]
    [InlineData("GET", "/api/runs/bad%20id", "bad id", 400)]
    [InlineData("GET", "/api/runs/20260101T000000-00000000", "20260101T000000-00000000", 404)]
    [InlineData("POST", "/api/runs/20260101T000000-00000000/terminate", "20260101T000000-00000000", 404)]
    [InlineData("GET", "/api/runs/20260101T000000-00000000/events", "20260101T000000-00000000", 404)]
    public async Task RunRoutes_BadOrUnknownId_ProblemDetails(string method, string path, string id, int status)
    {
        var request = Request(method, path);
        var result = path.EndsWith("/terminate", StringComparison.Ordinal) ? await _http.TerminateAsync(request, id, _client, Ct)
            : path.EndsWith("/events", StringComparison.Ordinal) ? await _http.EventsAsync(request, id, _client, Ct)
            : await _http.StatusAsync(request, id, _client, Ct);

        var response = await ExecuteAsync(request, result);

        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
    }

    [Theory]
    [InlineData("?top=abc", 400)]
    [InlineData("?pair=bad%20name", 400)]
    [InlineData("?pair=none", 404)]
    [InlineData("?top=0", 200)]
    public async Task ListRuns_Query_ValidatedAsProblemDetails(string query, int status)
    {
        var request = Request("GET", "/api/runs", query: query);

        var response = await ExecuteAsync(request, await _http.ListAsync(request, _client, Ct));

        Assert.Equal(status, response.Status);
        Assert.Equal(status == 200 ? "application/json; charset=utf-8" : "application/problem+json", response.ContentType);
    }

    [Theory]
    [InlineData("bad name", 400)]
    [InlineData("none", 404)]
    public async Task StartRun_BadOrUnknownPair_ProblemAndNothingScheduled(string name, int status)
    {
        var response = await StartAsync(name);

        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Empty(_client.Instances);
    }

    private async Task AddPairAsync(string name)
    {
        var added = await _fixture.Services.Pairs().AddAsync(new PairRequest(name, _source, _destination), Ct);
        Assert.Equal(ServiceOutcome.Created, added.Outcome);
    }

    private async Task<Response> StartAsync(string name)
    {
        var request = Request("POST", $"/api/pairs/{name}/runs");
        return await ExecuteAsync(request, await _http.StartAsync(request, name, _client, Ct));
    }

    private async Task<Response> StatusAsync(string id)
    {
        var request = Request("GET", "/api/runs/" + id);
        return await ExecuteAsync(request, await _http.StatusAsync(request, id, _client, Ct));
    }

    private static SortedDictionary<string, string> Snapshot(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllText), StringComparer.Ordinal);
}

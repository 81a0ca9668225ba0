using SyncFunctions.Abstractions;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using SyncFunctions.Orchestration;
using SyncFunctions.Orchestration.Service;
using static SyncFunctions.App.Tests.Infrastructure.AppFixture;

namespace SyncFunctions.App.Tests;

/// <summary>Preview, then apply, through the app's HTTP functions, the run driven through the activity wrappers.</summary>
public sealed class PlanFunctionsTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly AppFixture _fixture = new();
    private readonly RecordingDurableClient _client = new();
    private readonly PlanFunctions _plans;
    private readonly string _source;
    private readonly string _destination;

    public PlanFunctionsTests()
    {
        _plans = new PlanFunctions(_fixture.App);
        _source = _fixture.Folder("src", ("a.txt", "alpha"), ("d/b.txt", "bravo"));
        _destination = _fixture.Folder("dst");
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Plan_PreviewedThenApplied_RunsThatPlanAndASecondApplyIs409()
    {
        Assert.Equal(ServiceOutcome.Created, (await _fixture.Services.Pairs().AddAsync(new PairRequest("docs", _source, _destination), Ct)).Outcome);

        var previewRequest = Request("POST", "/api/pairs/docs/plan");
        var preview = await ExecuteAsync(previewRequest, await _plans.PreviewAsync(previewRequest, "docs", _client, Ct));
        Assert.Equal(201, preview.Status);
        var id = preview.Json.GetProperty("id").GetString()!;
        Assert.Equal($"https://{Host}/api/plans/{id}/apply", preview.Json.GetProperty("applyPostUri").GetString());
        Assert.Equal(2, preview.Json.GetProperty("plan").GetProperty("uploads").GetInt64());
        Assert.Empty(Directory.EnumerateFiles(_destination, "*", SearchOption.AllDirectories));
        Assert.Empty(_client.Instances);

        var applied = await ApplyAsync(id);
        Assert.Equal(202, applied.Status);
        var runId = applied.Json.GetProperty("id").GetString()!;
        var finalized = await RunDriver.DriveAsync(new RunFunctions(_fixture.App.Steps), _client.Instances[runId].ReadInputAs<RunOrchestrationInput>()!);
        Assert.Equal(RunStatus.Succeeded, finalized.Status);
        Assert.Equal("alpha", File.ReadAllText(Path.Join(_destination, "a.txt")));
        Assert.Equal("bravo", File.ReadAllText(Path.Join(_destination, "d", "b.txt")));

        var again = await ApplyAsync(id);
        Assert.Equal(409, again.Status);
        Assert.Equal(runId, again.Json.GetProperty("runId").GetString());
        Assert.Single(_client.Instances);
    }

    [Theory]
    [InlineData("nope", 400)]
    [InlineData("00000000000000000000000000000000", 404)]
    public async Task Apply_MalformedOrUnknownPlan_ProblemAndNothingScheduled(string id, int status)
    {
        var response = await ApplyAsync(id);

        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Empty(_client.Instances);
    }

    private async Task<Response> ApplyAsync(string id)
    {
        var request = Request("POST", $"/api/plans/{id}/apply");
        return await ExecuteAsync(request, await _plans.ApplyAsync(request, id, _client, Ct));
    }
}

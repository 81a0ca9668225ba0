using SyncFunctions.App.Functions;
using static SyncFunctions.App.Tests.Infrastructure.AppFixture;

namespace SyncFunctions.App.Tests;

/// <summary>
/// The webhooks, whose services are not in this build yet: they refuse with 503 problem details, so nobody validates
/// a subscription against an app that would drop its notifications.
/// </summary>
public sealed class WebhookFunctionsTests
{
    [Theory]
    [InlineData("POST", "/api/webhooks/graph")]
    [InlineData("POST", "/api/webhooks/blob-events")]
    [InlineData("OPTIONS", "/api/webhooks/blob-events")]
    public async Task Webhook_NotWiredYet_503ProblemNotConfigured(string method, string path)
    {
        var functions = new WebhookFunctions();
        var request = Request(method, path, body: "{}");

        var response = await ExecuteAsync(request, path.EndsWith("graph", StringComparison.Ordinal) ? functions.Graph(request) : functions.BlobEvents(request));

        Assert.Equal(503, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("not configured", response.Json.GetProperty("title").GetString());
    }
}

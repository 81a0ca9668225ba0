using Microsoft.Extensions.Logging;
using SyncFunctions.App.Functions;
using SyncFunctions.App.Tests.Infrastructure;
using static SyncFunctions.App.Tests.Infrastructure.AppFixture;

namespace SyncFunctions.App.Tests;

/// <summary>
/// The functions whose services are not in this build yet: the webhooks refuse with 503 (so nobody validates a
/// subscription against an app that would drop its notifications) and the timers say so in the log.
/// </summary>
public sealed class PlaceholderFunctionsTests
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

    [Fact]
    public void Timers_NotWiredYet_EachOccurrenceLogsAWarningNamingTheJob()
    {
        var log = new RecordingLogger<TimerFunctions>();
        var timers = new TimerFunctions(log);

        timers.Maintenance(new Microsoft.Azure.Functions.Worker.TimerInfo());
        timers.Schedules(new Microsoft.Azure.Functions.Worker.TimerInfo());

        Assert.Equal([(LogLevel.Warning, "maintenance"), (LogLevel.Warning, "schedules")], log.Entries.Select(e => (e.Level, e.Message.Split(' ')[1].TrimEnd(':'))));
    }

    private sealed class RecordingLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}

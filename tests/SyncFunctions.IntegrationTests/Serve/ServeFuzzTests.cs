using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SyncFunctions.IntegrationTests.Cli;
using SyncFunctions.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>
/// 10,000 generated requests against every route and webhook of a real <c>syncfn serve</c>: never a 5xx, a missing or
/// wrong key always 401 on keyed routes, the process alive at the end, and the named pairs exactly those the 201s created
/// and the 200 deletes removed (nothing written for invalid input).
/// </summary>
[Collection("azurite")]
public sealed class ServeFuzzTests(AzuriteFixture azurite, ITestOutputHelper output) : CliTestBase(azurite)
{
    private const int Requests = 10_000;

    [Fact]
    public async Task Serve_TenThousandGeneratedRequests_NeverA5xxAndOnlyValidInputWrites()
    {
        var seed = Environment.GetEnvironmentVariable("SYNCFN_FUZZ_SEED") is { } given ? int.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed} (SYNCFN_FUZZ_SEED={seed} repeats it)");
        var source = NewTree("fuzz-src");
        source.Write("a.txt", "a");
        string[] containers = [NewContainer("fuzz"), NewContainer("fuzz"), "NO_such", "x"];
        var fuzz = new HttpFuzz(seed, ServeProcess.Key, r => r.Next(5) == 0 ? source.PathOf("missing") : source.Root, r => "blob:" + containers[r.Next(containers.Length)]);

        await using var serve = ServeProcess.Start(Home.Root, Storage);
        var (http, baseUrl) = await ServeProcess.ConnectAsync(serve);
        using var raw = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        // The ledger is the collection's: other tests' pairs may be there; the fuzz may delete them, never add one unseen.
        var before = (await http.GetFromJsonAsync<JsonElement>("api/pairs")).EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);
        var created = new HashSet<string>(before, StringComparer.Ordinal);
        var statuses = new SortedDictionary<int, int>();
        for (var i = 0; i < Requests; i++)
        {
            var request = fuzz.Next(i);
            using var message = ToMessage(request);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await SendAsync(raw, message, i, $"{request} (after {(i > 0 ? fuzz.Next(i - 1) : null)})", serve, timeout.Token);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"#{i} {request} -> {status} {await BodyOf(response)}");
            var path = new Uri(baseUrl, request.Path).AbsolutePath;
            var keyed = (path == "/api" || path.StartsWith("/api/", StringComparison.Ordinal)) && !path.StartsWith("/api/webhooks/", StringComparison.Ordinal);
            if (keyed && request.Key != ServeProcess.Key)
            {
                // Kestrel refuses a malformed request line (e.g. %00 in the path) with a bare 400 before any route runs.
                var refusedByServer = status == 400 && response.Content.Headers.ContentType is null;
                Assert.True(status == 401 || refusedByServer, $"#{i} {request} -> {status}, expected 401");
            }

            if (status == 201 && request is { Method: "POST", Path: "api/pairs" })
            {
                created.Add((await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("name").GetString()!);
            }
            else if (status == 200 && request.Method == "DELETE" && request.Path.StartsWith("api/pairs/", StringComparison.Ordinal))
            {
                created.Remove((await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("name").GetString()!);
            }
        }

        output.WriteLine("statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}x{s.Value}")));
        Assert.False(serve.HasExited, serve.Output());
        var listed = (await http.GetFromJsonAsync<JsonElement>("api/pairs")).EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(created.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));

        // The ledger is the collection's: leave no pair behind for the other serve tests (a run may still hold one).
        foreach (var name in listed.Except(before))
        {
            await RemovePairAsync(http, name);
        }

        Assert.True(statuses.Keys.Count(s => s is >= 400 and < 500) >= 4, "the fuzz reached too few kinds of rejection: " + string.Join(", ", statuses.Keys));
    }

    private static HttpRequestMessage ToMessage(FuzzRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
        if (request.Key is { } key)
        {
            message.Headers.TryAddWithoutValidation("x-functions-key", key);
        }

        foreach (var header in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is { } type)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
            else
            {
                message.Content.Headers.ContentType = null;
            }
        }

        return message;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage message, int index, string request, CliRunner serve, CancellationToken ct)
    {
        try
        {
            return await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            Assert.Fail($"#{index} {request}: no response ({e.Message}: {e.InnerException?.Message})\n{serve.Output()}");
            throw;
        }
    }

    private static async Task RemovePairAsync(HttpClient http, string name)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            using var removed = await http.DeleteAsync("api/pairs/" + Uri.EscapeDataString(name));
            if (removed.StatusCode != HttpStatusCode.Conflict)
            {
                Assert.True(removed.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{name}: {(int)removed.StatusCode}");
                return;
            }

            // Its run is still going: wait for that run's end on its event stream, then remove the pair.
            var pair = await http.GetFromJsonAsync<JsonElement>("api/pairs/" + Uri.EscapeDataString(name));
            if (pair.TryGetProperty("activeRunId", out var run) && run.GetString() is { } runId)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                using var events = await http.GetAsync($"api/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                _ = await events.Content.ReadAsStringAsync(timeout.Token);
            }
        }

        Assert.Fail($"pair {name} could not be removed");
    }

    private static async Task<string> BodyOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length > 500 ? text[..500] : text;
    }
}

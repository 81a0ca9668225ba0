using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Orchestration.Tests.Webhooks;

/// <summary>The host-neutral Graph webhook: validation echo, clientState checks, one start per pair, bad input 4xx, lifecycle events.</summary>
public sealed class GraphWebhookServiceTests
{
    private readonly WebhookHarness _h = new();

    [Fact]
    public async Task HandleAsync_ValidationToken_EchoesTheDecodedTokenAsPlainText()
    {
        var query = "?validationToken=Validation%3A%20Testing+client%20application%20%E6%97%A5%2B1&other=x";

        var response = await _h.Webhooks.HandleAsync(new WebhookRequest(query, "text/plain; charset=utf-8", Array.Empty<byte>()), default);

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/plain", response.ContentType, StringComparison.Ordinal);
        Assert.Equal("Validation: Testing client application 日+1", response.Body);
        Assert.Empty(_h.Runs.Starts);
    }

    [Theory]
    [InlineData("?validationToken=", "empty")]
    [InlineData("?validationToken=a%0Ab", "control")]
    [InlineData("?validationToken=a%00", "control")]
    [InlineData("?validationToken=a&validationToken=b", "more than one")]
    public async Task HandleAsync_BadValidationToken_400Problem(string query, string expected)
    {
        var response = await _h.Webhooks.HandleAsync(new WebhookRequest(query, "text/plain", Array.Empty<byte>()), default);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains(expected, JsonDocument.Parse(response.Body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ValidationTokenTooLong_400()
    {
        var response = await _h.Webhooks.HandleAsync(new WebhookRequest("validationToken=" + new string('a', GraphWebhookService.MaxValidationTokenLength + 1), null, Array.Empty<byte>()), default);

        Assert.Equal(400, response.Status);
        Assert.Contains("longer than", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_SeveralNotificationsOfTwoPairs_OneStartPerPair()
    {
        var (a, b) = (await _h.AddPairAsync("alpha"), await _h.AddPairAsync("beta"));

        var response = await _h.PostAsync(WebhookHarness.Collection(
            (a.SubscriptionId, a.ClientState, null), (a.SubscriptionId, a.ClientState, null), (b.SubscriptionId, b.ClientState, null), (a.SubscriptionId, a.ClientState, null)));

        Assert.Equal(202, response.Status);
        Assert.Equal([("alpha", "graph-webhook", true), ("beta", "graph-webhook", true)], _h.Runs.Starts.OrderBy(s => s.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_WrongMissingOrUnknown_IgnoredSilentlyWith202()
    {
        var a = await _h.AddPairAsync("alpha");
        var almost = a.ClientState[..^1] + (a.ClientState[^1] == 'A' ? 'B' : 'A');

        var response = await _h.PostAsync(WebhookHarness.Collection(
            (a.SubscriptionId, almost, null), (a.SubscriptionId, null, null), (a.SubscriptionId, a.ClientState + "x", null),
            (Guid.NewGuid().ToString(), a.ClientState, null), ("not/a#key?", a.ClientState, null), (a.SubscriptionId, almost, "subscriptionRemoved")));

        Assert.Equal(202, response.Status);
        Assert.Equal("", response.Body);
        Assert.Empty(_h.Runs.Starts);
        Assert.Equal([a], await _h.RecordsAsync());
    }

    [Fact]
    public void ClientStateMatches_ComparesInConstantTimeOverUtf8()
    {
        Assert.True(GraphWebhookService.ClientStateMatches("sécret-1", "sécret-1"));
        Assert.False(GraphWebhookService.ClientStateMatches("sécret-2", "sécret-1"));
        Assert.False(GraphWebhookService.ClientStateMatches("sécret-1x", "sécret-1"));
        Assert.False(GraphWebhookService.ClientStateMatches(null, "sécret-1"));
        Assert.False(GraphWebhookService.ClientStateMatches("", "sécret-1"));

        var called = CalledMethods(typeof(GraphWebhookService).GetMethod(nameof(GraphWebhookService.ClientStateMatches), BindingFlags.Static | BindingFlags.NonPublic)!);
        Assert.Contains(called, m => m.DeclaringType == typeof(CryptographicOperations) && m.Name == nameof(CryptographicOperations.FixedTimeEquals));
        Assert.DoesNotContain(called, m => m.DeclaringType == typeof(string) && m.Name is "Equals" or "op_Equality" or "CompareOrdinal" or "Compare");
    }

    public static TheoryData<string, int, string> BadBodies() => new()
    {
        { "", 400, "empty" },
        { "{", 400, "not valid JSON" },
        { "[]", 400, "changeNotificationCollection" },
        { "{}", 400, "changeNotificationCollection" },
        { "{\"value\":{}}", 400, "changeNotificationCollection" },
        { "{\"value\":[1]}", 400, "value[0] is not an object" },
        { "{\"value\":[{}]}", 400, "subscriptionId" },
        { "{\"value\":[{\"subscriptionId\":5}]}", 400, "subscriptionId must be a string" },
        { "{\"value\":[{\"subscriptionId\":\"\"}]}", 400, "subscriptionId" },
        { "{\"value\":[{\"subscriptionId\":\"a\",\"clientState\":{}}]}", 400, "clientState must be a string" },
        { "{\"value\":[{\"subscriptionId\":\"a\",\"lifecycleEvent\":true}]}", 400, "lifecycleEvent must be a string" },
        { "{\"value\":[{\"subscriptionId\":\"\\uD800\"}]}", 400, "not valid JSON" },
        { "{\"value\":[{\"subscriptionId\":\"" + new string('a', 129) + "\"}]}", 400, "1 to 128" },
        { "{\"value\":[" + string.Join(',', Enumerable.Repeat("{\"subscriptionId\":\"a\"}", GraphWebhookService.MaxNotifications + 1)) + "]}", 400, "at most" },
        { "{\"value\":" + new string('[', 40) + new string(']', 40) + "}", 400, "not valid JSON" },
        { "null", 400, "changeNotificationCollection" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task HandleAsync_MalformedBody_4xxProblemAndNothingStarted(string body, int status, string expected)
    {
        await _h.AddPairAsync("alpha");

        var response = await _h.PostAsync(body);

        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        var problem = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_h.Runs.Starts);
    }

    [Fact]
    public async Task HandleAsync_InvalidUtf8OrWrongTypeOrTooLarge_4xx()
    {
        var invalidUtf8 = await _h.Webhooks.HandleAsync(new WebhookRequest(null, "application/json", new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' }), default);
        var wrongType = await _h.PostAsync(WebhookHarness.Collection(("a", "b", null)), "text/plain");
        var noType = await _h.Webhooks.HandleAsync(new WebhookRequest(null, null, Encoding.UTF8.GetBytes(WebhookHarness.Collection(("a", "b", null)))), default);
        var tooLarge = await _h.Webhooks.HandleAsync(new WebhookRequest(null, "application/json", new byte[GraphWebhookService.MaxBodyBytes + 1]), default);

        Assert.Equal((400, 415, 415, 413), (invalidUtf8.Status, wrongType.Status, noType.Status, tooLarge.Status));
    }

    [Fact]
    public async Task HandleAsync_ReauthorizationRequired_RenewsAndStartsNothing()
    {
        var a = await _h.AddPairAsync("alpha");
        _h.Time.Advance(TimeSpan.FromHours(30));

        var response = await _h.PostAsync(WebhookHarness.Collection((a.SubscriptionId, a.ClientState, "reauthorizationRequired"), (a.SubscriptionId, a.ClientState, "reauthorizationRequired")));

        Assert.Equal(202, response.Status);
        var expected = _h.Time.GetUtcNow() + _h.Subscriptions.Lifetime;
        var renewed = Assert.Single(await _h.RecordsAsync());
        Assert.Equal((a.SubscriptionId, a.ClientState, expected), (renewed.SubscriptionId, renewed.ClientState, renewed.ExpiresAt));
        Assert.Equal(expected, _h.Service.Live[a.SubscriptionId].ExpiresAt);
        Assert.Empty(_h.Runs.Starts);
    }

    [Fact]
    public async Task HandleAsync_SubscriptionRemoved_RecreatesAndStartsOneRun()
    {
        var a = await _h.AddPairAsync("alpha");
        _h.Service.Forget(a.SubscriptionId);

        var response = await _h.PostAsync(WebhookHarness.Collection((a.SubscriptionId, a.ClientState, "subscriptionRemoved"), (a.SubscriptionId, a.ClientState, null)));

        Assert.Equal(202, response.Status);
        var replacement = Assert.Single(await _h.RecordsAsync());
        Assert.NotEqual(a.SubscriptionId, replacement.SubscriptionId);
        Assert.NotEqual(a.ClientState, replacement.ClientState);
        Assert.Equal(("alpha", a.PairId), (replacement.PairName, replacement.PairId));
        Assert.Equal([replacement.SubscriptionId], _h.Service.Live.Keys);
        Assert.Equal([("alpha", "graph-webhook", true)], _h.Runs.Starts);
    }

    [Fact]
    public async Task HandleAsync_Missed_StartsOneRunAndKeepsTheSubscription()
    {
        var a = await _h.AddPairAsync("alpha");

        var response = await _h.PostAsync(WebhookHarness.Collection((a.SubscriptionId, a.ClientState, "missed")));

        Assert.Equal(202, response.Status);
        Assert.Equal([a], await _h.RecordsAsync());
        Assert.Equal([("alpha", "graph-webhook", true)], _h.Runs.Starts);
    }

    [Fact]
    public async Task HandleAsync_StartHangs_Answers202AfterTheBoundAndStartsLater()
    {
        var a = await _h.AddPairAsync("alpha");
        _h.Runs.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var answer = _h.PostAsync(WebhookHarness.Collection((a.SubscriptionId, a.ClientState, null)));
        Assert.False(answer.IsCompleted);
        _h.Time.Advance(_h.Webhooks.ResponseBound);
        var response = await answer.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(202, response.Status);
        Assert.Empty(_h.Runs.Starts);
        _h.Runs.Gate.SetResult();
        await _h.Webhooks.DrainAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([("alpha", "graph-webhook", true)], _h.Runs.Starts);
    }

    [Fact]
    public async Task HandleAsync_StartFails_Still202AndTheFailureIsLoggedWithoutTheSecret()
    {
        var a = await _h.AddPairAsync("alpha");
        _h.Runs.Failure = new InvalidOperationException("task hub unavailable");

        var response = await _h.PostAsync(WebhookHarness.Collection((a.SubscriptionId, a.ClientState, null)));
        await _h.Webhooks.DrainAsync();

        Assert.Equal(202, response.Status);
        Assert.Contains(_h.Log.Entries, e => e.EventId == 4103 && e.Message.Contains("alpha", StringComparison.Ordinal) && e.Message.Contains("task hub unavailable", StringComparison.Ordinal));
        Assert.DoesNotContain(_h.Log.Entries, e => e.Message.Contains(a.ClientState, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_GeneratedBodies_NeverThrowOrAnswer5xx()
    {
        var a = await _h.AddPairAsync("alpha");
        var valid = Encoding.UTF8.GetBytes(WebhookHarness.Collection((a.SubscriptionId, a.ClientState, null), (a.SubscriptionId, "x", "missed")));
        var random = new Random(8);
        var statuses = new HashSet<int>();
        for (var i = 0; i < 3000; i++)
        {
            var body = (byte[])valid.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            var cut = body.AsMemory(0, random.Next(body.Length + 1));
            var query = random.Next(10) == 0 ? "validationToken=" + Uri.EscapeDataString(Encoding.UTF8.GetString(cut.Span)) : null;
            var response = await _h.Webhooks.HandleAsync(new WebhookRequest(query, "application/json", cut), default);
            statuses.Add(response.Status);
            Assert.InRange(response.Status, 200, 499);
        }

        await _h.Webhooks.DrainAsync();
        Assert.Contains(400, statuses);
    }

    /// <summary>The methods <paramref name="method"/>'s IL calls (call / callvirt operands that resolve).</summary>
    private static List<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var called = new List<MethodBase>();
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is 0x28 or 0x6F)
            {
                try
                {
                    if (method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1)) is { } target)
                    {
                        called.Add(target);
                    }
                }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException)
                {
                    // Not a method token: an operand byte that looks like an opcode.
                }
            }
        }

        return called;
    }
}

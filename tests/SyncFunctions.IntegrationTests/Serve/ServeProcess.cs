using System.Text.RegularExpressions;
using SyncFunctions.IntegrationTests.Cli;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>Starts <c>syncfn serve</c> as a child process on the test Azurite and connects an HTTP client to it.</summary>
internal static partial class ServeProcess
{
    /// <summary>The API key of every serve the tests start.</summary>
    public const string Key = "test-key-0123456789";

    /// <summary>A serve on a free port with its own task hub (or <paramref name="taskHub"/>, to share one), keyed with <see cref="Key"/>.</summary>
    public static CliRunner Start(string home, string storage, string? taskHub = null, params string[] extra) =>
        CliRunner.Start(
            home,
            ["serve", "--port", "0", "--task-hub", taskHub ?? NewTaskHub(), "--storage", storage, .. extra],
            environment: new Dictionary<string, string?> { ["SYNCFN_API_KEY"] = Key });

    /// <summary>A task hub name of this test alone.</summary>
    public static string NewTaskHub() => "h" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Waits for the listening line and returns a client that sends the key, and the base URL.</summary>
    public static async Task<(HttpClient Client, Uri BaseUrl)> ConnectAsync(CliRunner serve)
    {
        var line = await serve.WaitForStdoutAsync(l => l.StartsWith("serve listening on ", StringComparison.Ordinal));
        var match = ListeningLine().Match(line);
        Assert.True(match.Success, line);
        var baseUrl = new Uri(match.Groups[1].Value + "/");
        var client = new HttpClient { BaseAddress = baseUrl, DefaultRequestHeaders = { { "x-functions-key", Key } } };
        return (client, baseUrl);
    }

    [GeneratedRegex("^serve listening on (http://127\\.0\\.0\\.1:[0-9]+)$")]
    private static partial Regex ListeningLine();
}

using System.Diagnostics;
using SyncFunctions.Abstractions;
using SyncFunctions.Cli;
using SyncFunctions.Cli.Azurite;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>
/// <c>--network-timeout</c> / <c>$SYNCFN_NETWORK_TIMEOUT</c> end to end: a storage account that never answers or
/// refuses connections ends the command with exit 3 and a message that says so (never a kind name such as
/// "Transient"), within a bound; a malformed value is a usage error naming where it came from. No Azurite needed.
/// </summary>
public sealed class CliNetworkTimeoutTests : IDisposable
{
    /// <summary>
    /// The run start gives up after the retry decorator's 6 attempts: 6 x 2 s of network timeout plus at most 6.2 s of
    /// backoff, plus process start. A guard against the old 100 s per attempt, not a measurement.
    /// </summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TestTree _home = TestTree.Create("home-timeout");
    private readonly TestTree _source = TestTree.Create("src-timeout");

    public CliNetworkTimeoutTests() => _source.Write("a.txt", "a");

    public void Dispose()
    {
        _home.Dispose();
        _source.Dispose();
    }

    [Fact]
    public async Task Sync_StorageAcceptsButNeverAnswers_ExitsFatalSayingNoResponseWithinTheTimeout()
    {
        using var hung = new HungEndpoint();
        var clock = Stopwatch.StartNew();

        var result = await CliRunner.RunAsync(
            _home.Root, "sync", _source.Root, "blob:box", "--storage", Storage(hung.Port), "--network-timeout", "2s");

        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}\n{result}");
        Assert.Equal(ExitCodes.Fatal, result.ExitCode);
        Assert.Contains("unreachable", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{hung.Port} accepted the connection but sent no response within 2 s (network timeout)", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Transient", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Unreachable", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_StorageRefusesConnections_ExitsFatalSayingConnectionRefused()
    {
        var port = ClosedPort.Find();

        var result = await CliRunner.RunAsync(_home.Root, "sync", _source.Root, "blob:box", "--storage", Storage(port), "--json");

        Assert.Equal(ExitCodes.Fatal, result.ExitCode);
        var expected = $"cannot reach 127.0.0.1:{port} (connection refused)";
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, result.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Transient", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteInstance.AccountKey[..12], result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_StorageRefusesConnections_ExitsFatalSayingUnreachable()
    {
        var port = ClosedPort.Find();

        var result = await CliRunner.RunAsync(_home.Root, "verify", _source.Root, "blob:box", "--storage", Storage(port), "--network-timeout", "5s");

        Assert.Equal(ExitCodes.Fatal, result.ExitCode);
        Assert.Contains("syncfn: unreachable: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"cannot reach 127.0.0.1:{port} (connection refused)", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("500ms")]
    [InlineData("2h")]
    public async Task Sync_BadNetworkTimeout_ExitsUsageNamingTheOptionBeforeTouchingAnything(string value)
    {
        var result = await CliRunner.RunAsync(_home.Root, "sync", _source.Root, "blob:box", "--network-timeout", value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--network-timeout", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_home.Root));
    }

    [Theory]
    [InlineData("verify", "SRC", "blob:box")]
    [InlineData("runs", "join", "20250101T000000-abcd1234")]
    [InlineData("runs", "list", null)]
    public async Task OtherCommands_BadNetworkTimeout_ExitUsageNamingTheOption(string command, string first, string? second)
    {
        string[] args = [command, first == "SRC" ? _source.Root : first, .. second is null ? Array.Empty<string>() : [second], "--network-timeout", "abc"];

        var result = await CliRunner.RunAsync(_home.Root, args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--network-timeout", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_BadNetworkTimeoutInTheEnvironment_ExitsUsageNamingTheVariable()
    {
        await using var runner = CliRunner.Start(
            _home.Root, ["sync", _source.Root, "blob:box"], environment: new Dictionary<string, string?> { [NetworkTimeouts.EnvironmentVariable] = "soon" });

        var result = await runner.WaitForExitAsync();

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("$SYNCFN_NETWORK_TIMEOUT", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'soon'", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("2min", 120)]
    [InlineData("90", 90)]
    [InlineData("1.5s", 1.5)]
    [InlineData(" 10 S ", 10)]
    [InlineData("1h", 3600)]
    [InlineData("1000ms", 1)]
    public void NetworkTimeoutsFrom_ValidOption_IsThatDuration(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), NetworkTimeouts.From(text, _ => null));
    }

    [Fact]
    public void NetworkTimeoutsFrom_NothingGiven_IsThirtySecondsAndTheOptionBeatsTheEnvironment()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), NetworkTimeouts.From(null, _ => null));
        Assert.Equal(TimeSpan.FromSeconds(45), NetworkTimeouts.From(null, v => v == NetworkTimeouts.EnvironmentVariable ? "45s" : null));
        Assert.Equal(TimeSpan.FromSeconds(5), NetworkTimeouts.From("5s", _ => "45s"));
        Assert.Equal(TimeSpan.FromSeconds(30), NetworkTimeouts.From(null, _ => "  "));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5s")]
    [InlineData("5 days")]
    [InlineData("0.9s")]
    [InlineData("61m")]
    public void NetworkTimeoutsFrom_BadOption_ThrowsUsageNamingTheOption(string text)
    {
        var error = Assert.Throws<UsageException>(() => NetworkTimeouts.From(text, _ => null));

        Assert.StartsWith("--network-timeout ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageErrorTextDescribe_EveryKind_SaysWhatHappenedWithoutTheKindName()
    {
        foreach (var kind in Enum.GetValues<StorageErrorKind>())
        {
            var text = StorageErrorText.Describe(new StorageException(kind, "get pair 'p' failed: details"));

            Assert.EndsWith(": get pair 'p' failed: details", text, StringComparison.Ordinal);
            Assert.DoesNotContain(kind.ToString(), text, StringComparison.Ordinal);
        }

        Assert.StartsWith("unreachable: ", StorageErrorText.Describe(new StorageException(StorageErrorKind.Unreachable, "x")), StringComparison.Ordinal);
    }

    private static string Storage(int port) => AzuriteInstance.BuildConnectionString(port, port, port);
}

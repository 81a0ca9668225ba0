using System.Text.Json;
using Microsoft.Extensions.Logging;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.Cli.Output;
using SyncFunctions.Cli;
using SyncFunctions.Abstractions.Endpoints;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>Unit tests of the CLI's pure parts: sizes, exit codes, redaction, validation, JSON shape.</summary>
public sealed class CliParsingTests
{
    private const string DevConnection =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:41234/devstoreaccount1;TableEndpoint=http://127.0.0.1:41236/devstoreaccount1;";

    [Theory]
    [InlineData("4MiB", 4L * 1024 * 1024)]
    [InlineData("8M", 8L * 1024 * 1024)]
    [InlineData("512KiB", 512L * 1024)]
    [InlineData("512k", 512L * 1024)]
    [InlineData("1048576", 1048576L)]
    [InlineData("1.5GiB", 1536L * 1024 * 1024)]
    [InlineData("4MB", 4_000_000L)]
    [InlineData(" 2 mib ", 2L * 1024 * 1024)]
    [InlineData("100B", 100L)]
    public void SizeParserParse_ValidSize_ReturnsBytes(string text, long expected)
    {
        Assert.Equal(expected, SizeParser.Parse(text, "--chunk-size", out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-4MiB")]
    [InlineData("0")]
    [InlineData("4XB")]
    [InlineData("99999999999TiB")]
    public void SizeParserParse_InvalidSize_ReturnsErrorNamingOption(string text)
    {
        Assert.Null(SizeParser.Parse(text, "--chunk-size", out var error));
        Assert.Contains("--chunk-size", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RunOutcome.Succeeded, 0, 0)]
    [InlineData(RunOutcome.CompletedWithFailures, 0, 1)]
    [InlineData(RunOutcome.Cancelled, 0, 1)]
    [InlineData(RunOutcome.Failed, 0, 3)]
    [InlineData(RunOutcome.PairBusy, 0, 4)]
    [InlineData(RunOutcome.DeletesHeldBack, 0, 5)]
    [InlineData(RunOutcome.Interrupted, 1, 130)]
    [InlineData(RunOutcome.Interrupted, 0, 130)]
    [InlineData(RunOutcome.Interrupted, 2, 143)]
    public void ExitCodesFromOutcome_EachOutcome_MapsToDocumentedCode(RunOutcome outcome, int signal, int expected)
    {
        Assert.Equal(expected, ExitCodes.FromOutcome(outcome, (StopSignal)signal));
    }

    [Theory]
    [InlineData("AccountName=a;AccountKey=c2VjcmV0;BlobEndpoint=x", "c2VjcmV0")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2020&sig=abcDEF%2B", "abcDEF")]
    [InlineData("https://a.blob.core.windows.net/c/b?sv=2020-01-01&sig=abcDEF%2B&se=x", "abcDEF")]
    public void RedactionRedact_SecretInText_RemovesSecret(string text, string secret)
    {
        var redacted = Redaction.Redact(text);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains("***", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void SyncCommandValidate_ValidArguments_BuildsRequest()
    {
        var request = SyncCommand.Validate(
            "./data", "blob:backup/daily", 8, "8MiB", dryRun: true, "10%", force: true,
            new ConnectionChoice(DevConnection, DevConnection, false), "/home/u", TestEndpoints.Parsing);

        Assert.Equal(new SyncEndpoint("local", "/home/u/data"), request.Source);
        Assert.Equal(new SyncEndpoint("blob", "backup/daily"), request.Destination);
        Assert.Equal(8, request.Options.Parallel);
        Assert.Equal(8L * 1024 * 1024, request.Options.ChunkSize);
        Assert.Equal(10, request.Options.MaxDelete!.Percent);
        Assert.True(request.Options.DryRun && request.Options.Force);
    }

    [Theory]
    [InlineData("/d", "blob:ok-name", 0, null, null, "--parallel")]
    [InlineData("/d", "blob:ok-name", 101, null, null, "--parallel")]
    [InlineData("/d", "blob:ok-name", 4, "1KiB", null, "--chunk-size")]
    [InlineData("/d", "blob:ok-name", 4, null, "-3", "--max-delete")]
    [InlineData("/d", "blob:NO", 4, null, null, "destination")]
    [InlineData("ftp:x", "blob:ok-name", 4, null, null, "source")]
    [InlineData("/d", "/d/inner", 4, null, null, "overlap")]
    [InlineData("blob:same/a", "blob:same/a/b", 4, null, null, "overlap")]
    public void SyncCommandValidate_BadArgument_ThrowsUsageNamingIt(string source, string destination, int parallel, string? chunk, string? maxDelete, string named)
    {
        var error = Assert.Throws<UsageException>(() => SyncCommand.Validate(
            source, destination, parallel, chunk, false, maxDelete, false, new ConnectionChoice(null, null, false), "/", TestEndpoints.Parsing));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectionChoiceValidate_MalformedStorage_ThrowsUsageWithoutEchoingKey()
    {
        var choice = new ConnectionChoice("AccountName=a;AccountKey=###secret###", null, false);

        var error = Assert.Throws<UsageException>(() => choice.Validate());

        Assert.StartsWith("--storage:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CliEndpointsFromCanonical_CanonicalOfEndpoint_RoundTrips()
    {
        using var azure = new AzureAccounts();
        var endpoints = TestEndpoints.Over(azure);
        var storage = azure.UseStorage(DevConnection, embedded: false);
        var blob = CliEndpoints.OnStorage(SyncCommand.ParseEndpoint(endpoints, "blob:backup/a/b", "destination", "/"), storage);
        var local = CliEndpoints.OnStorage(SyncCommand.ParseEndpoint(endpoints, "local:/srv/data", "source", "/"), storage);

        var canonical = endpoints.Canonical(blob);

        Assert.Equal("blob:http://127.0.0.1:41234/devstoreaccount1/backup/a/b", canonical);
        Assert.Equal(blob, CliEndpoints.FromCanonical(endpoints, canonical));
        Assert.Equal(local, CliEndpoints.FromCanonical(endpoints, endpoints.Canonical(local)));
    }

    [Fact]
    public void CliEndpointsCanonical_EmbeddedAzurite_DoesNotDependOnPorts()
    {
        using var azure = new AzureAccounts();
        var endpoints = TestEndpoints.Over(azure);
        var parsed = SyncCommand.ParseEndpoint(endpoints, "blob:backup", "destination", "/");
        var other = DevConnection.Replace("41234", "50000", StringComparison.Ordinal);

        var first = endpoints.Canonical(CliEndpoints.OnStorage(parsed, azure.UseStorage(DevConnection, embedded: true)));
        var second = endpoints.Canonical(CliEndpoints.OnStorage(parsed, azure.UseStorage(other, embedded: true)));

        Assert.Equal(first, second);
        Assert.Equal(parsed with { Account = CliEndpoints.EmbeddedBlobAccount }, CliEndpoints.FromCanonical(endpoints, first));
        Assert.Equal(new Uri("http://127.0.0.1:50000/devstoreaccount1"), azure.Connect(CliEndpoints.EmbeddedBlobAccount).BlobEndpoint);
    }

    [Fact]
    public void CliEndpointsFromCanonical_OtherAccount_ThrowsFatalNamingStorage()
    {
        using var azure = new AzureAccounts();
        var endpoints = TestEndpoints.Over(azure);
        azure.UseStorage(DevConnection, embedded: false);

        var error = Assert.Throws<FatalException>(() => CliEndpoints.FromCanonical(endpoints, "blob:https://other.blob.core.windows.net/c"));

        Assert.Contains("--storage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonOutputSummary_RunSummary_IsCamelCaseWithStringEnumsAndExitCode()
    {
        var summary = new RunSummary
        {
            PairId = "p1",
            RunId = "r1",
            Outcome = RunOutcome.DeletesHeldBack,
            BytesTransferred = 42,
            Failures = [new PathProblem("a b.txt", "destination changed")],
        };

        using var doc = JsonDocument.Parse(JsonOutput.Summary(summary, 5));
        var root = doc.RootElement;

        Assert.Equal("DeletesHeldBack", root.GetProperty("outcome").GetString());
        Assert.Equal(42, root.GetProperty("bytesTransferred").GetInt64());
        Assert.Equal(5, root.GetProperty("exitCode").GetInt32());
        Assert.Equal("a b.txt", root.GetProperty("failures")[0].GetProperty("path").GetString());
        Assert.True(root.TryGetProperty("transferredByThisProcess", out _));
        Assert.True(root.TryGetProperty("reusedChunks", out _));
    }

    [Fact]
    public void RunAnnouncerLog_EngineRunEvents_PrintsPlainRunLine()
    {
        using var stderr = new StringWriter();
        using var announcer = new RunAnnouncer(stderr);
        var logger = announcer.CreateLogger("engine");
        var state = new List<KeyValuePair<string, object?>> { new("RunId", "20250101T000000-abcd1234"), new("PairId", "p") };

        logger.Log(LogLevel.Information, new EventId(1000), state, null, (_, _) => "");
        logger.Log(LogLevel.Information, new EventId(1001), state, null, (_, _) => "");
        logger.Log(LogLevel.Information, new EventId(1005), state, null, (_, _) => "");

        Assert.Equal(
            ["run 20250101T000000-abcd1234 started", "run 20250101T000000-abcd1234 resumed"],
            stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("20250101T000000-abcd1234", announcer.RunId);
    }

    [Fact]
    public void ProcessOwnerIsAlive_CurrentProcess_TrueAndFalseForOtherStartTime()
    {
        var owner = ProcessOwner.Current(TimeProvider.System);
        var liveness = new ProcessOwner();

        Assert.True(liveness.IsAlive(owner.Host, owner.Pid, owner.Started));
        Assert.False(liveness.IsAlive(owner.Host, owner.Pid, owner.Started.AddMinutes(-5)));
        Assert.False(liveness.IsAlive(owner.Host, 0, owner.Started));
        Assert.Null(liveness.IsAlive("some-other-host", owner.Pid, owner.Started));
    }
}

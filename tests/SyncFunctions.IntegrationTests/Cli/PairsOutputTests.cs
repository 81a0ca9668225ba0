using Microsoft.Extensions.Logging;
using Spectre.Console;
using SyncFunctions.Cli;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Cli.Output;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>The pure parts of the pairs commands and <c>sync --all</c>: exit codes, summary, formats.</summary>
public sealed class PairsOutputTests
{
    [Theory]
    [InlineData(new int[0], 0)]
    [InlineData(new[] { 0, 0 }, 0)]
    [InlineData(new[] { 0, 5, 0 }, 5)]
    [InlineData(new[] { 5, 4 }, 4)]
    [InlineData(new[] { 4, 1, 5 }, 1)]
    [InlineData(new[] { 1, 3, 0 }, 3)]
    [InlineData(new[] { 2, 1 }, 2)]
    [InlineData(new[] { 3, 2 }, 3)]
    [InlineData(new[] { 3, 130 }, 130)]
    [InlineData(new[] { 130, 143, 0 }, 143)]
    [InlineData(new[] { 0, 42 }, 42)]
    [InlineData(new[] { 42, 3 }, 42)]
    public void Worst_PairsExitCodes_IsTheMostSevere(int[] codes, int expected)
    {
        Assert.Equal(expected, ExitCodes.Worst(codes));
    }

    [Theory]
    [InlineData(ServiceOutcome.Invalid, 2)]
    [InlineData(ServiceOutcome.NotFound, 3)]
    [InlineData(ServiceOutcome.Conflict, 4)]
    public void FromService_Problem_MapsToTheCliCodes(ServiceOutcome outcome, int expected)
    {
        Assert.Equal(expected, ExitCodes.FromService(outcome));
    }

    [Fact]
    public void Of_MixedResults_CountsAveragesStartedPairsAndTakesWorstCode()
    {
        PairRunResult[] pairs =
        [
            new("a", 0, TimeSpan.FromSeconds(2), new RunSummary { PairId = "p", Outcome = RunOutcome.Succeeded }),
            new("b", 3, TimeSpan.FromSeconds(4), Error: "source folder '/x' does not exist"),
            new("c", 130, TimeSpan.Zero, Error: "not started: interrupted", Started: false),
        ];

        var summary = AllPairsSummary.Of(pairs, TimeSpan.FromSeconds(5));

        Assert.Equal((3, 1, 2), (summary.Total, summary.Success, summary.Failed));
        Assert.Equal(TimeSpan.FromSeconds(3), summary.AverageDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), summary.TotalDuration);
        Assert.Equal(130, summary.ExitCode);
        Assert.Equal(["Succeeded", "Error", "NotStarted"], pairs.Select(p => p.OutcomeText));
    }

    [Fact]
    public void Of_NoPairs_IsAllZeroAndExitsOk()
    {
        var summary = AllPairsSummary.Of([], TimeSpan.FromSeconds(1));

        Assert.Equal((0, 0, 0, 0), (summary.Total, summary.Success, summary.Failed, summary.ExitCode));
        Assert.Equal(TimeSpan.Zero, summary.AverageDuration);
    }

    [Fact]
    public void Print_Summary_HasPairRowsAndTotalSuccessFailedWithTimes()
    {
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        console.Profile.Width = 200;
        var summary = AllPairsSummary.Of(
            [new("docs", 0, TimeSpan.FromSeconds(1.5), new RunSummary { PairId = "p", RunId = "RUN1", Outcome = RunOutcome.Succeeded }), new("gone", 3, TimeSpan.FromSeconds(0.5))],
            TimeSpan.FromSeconds(2));

        AllPairsPrinter.Print(console, summary);

        var output = text.ToString();
        Assert.Matches(@"docs\s*│\s*Succeeded\s*│\s*0\s*│\s*1\.5s\s*│\s*RUN1", output);
        Assert.Matches(@"gone\s*│\s*Error\s*│\s*3\s*│\s*0\.5s\s*│\s*-", output);
        Assert.Matches(@"Total\s*│\s*Success\s*│\s*Failed\s*│\s*Total time\s*│\s*Average time", output);
        Assert.Matches(@"│\s*2\s*│\s*1\s*│\s*1\s*│\s*2\.0s\s*│\s*1\.0s\s*│", output);
        Assert.Contains("sync --all: 1 of 2 pairs succeeded (exit code 3)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_EntryWithMultiLineException_IsOneLineInTheConsoleLoggersShape()
    {
        var at = new DateTimeOffset(2026, 12, 3, 9, 5, 7, 42, TimeSpan.Zero);

        var line = LineLoggerProvider.Format(at, LogLevel.Warning, "SyncFunctions.Engine", new EventId(1005), "Run x\nended", new InvalidOperationException("boom"));

        Assert.StartsWith("09:05:07.042 warn: SyncFunctions.Engine[1005] Run x ended System.InvalidOperationException: boom", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Describe_Options_InTheCommandLinesWords()
    {
        Assert.Equal("parallel 4, chunk size 1 MiB, max-delete 10%, force", PairsPrinter.Describe(new PairOptions(1024 * 1024, 4, true, "10%")));
        Assert.Equal("-", PairsPrinter.Describe(new PairOptions()));
    }
}

using System.CommandLine;
using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.IntegrationTests.Cli;

public sealed class SyncTargetTests
{
    [Fact]
    public void Parse_TwoArguments_AreEndpoints()
    {
        var target = SyncTarget.Parse("./src", "blob:dst", all: false);

        Assert.Equal(new SyncTarget(SyncTargetKind.Endpoints, "./src", "blob:dst"), target);
    }

    [Fact]
    public void Parse_OneArgument_IsAPairName()
    {
        var target = SyncTarget.Parse("docs-2.x", null, all: false);

        Assert.Equal(new SyncTarget(SyncTargetKind.NamedPair, Name: "docs-2.x"), target);
    }

    [Fact]
    public void Parse_AllWithoutArguments_IsEveryPair()
    {
        Assert.Equal(SyncTargetKind.AllPairs, SyncTarget.Parse(null, null, all: true).Kind);
    }

    [Theory]
    [InlineData("docs", null, true, "--all runs every named pair")]
    [InlineData("a", "b", true, "--all runs every named pair")]
    [InlineData(null, null, false, "sync needs SOURCE DESTINATION, the NAME of a pair, or --all")]
    [InlineData("./folder", null, false, "pair name './folder'")]
    [InlineData("blob:container", null, false, "'syncfn pairs list' shows them")]
    public void Parse_BadCombination_ThrowsUsage(string? first, string? second, bool all, string expected)
    {
        var error = Assert.Throws<UsageException>(() => SyncTarget.Parse(first, second, all));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(100, 100)]
    public void PairsAtOnce_InRangeOrNotGiven_IsThatManyOrOne(int? given, int expected)
    {
        Assert.Equal(expected, SyncTarget.PairsAtOnce(given));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(-3)]
    public void PairsAtOnce_OutOfRange_ThrowsUsageNamingParallel(int given)
    {
        var error = Assert.Throws<UsageException>(() => SyncTarget.PairsAtOnce(given));

        Assert.Contains("--parallel", error.Message, StringComparison.Ordinal);
        Assert.Contains("between 1 and 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_OnlyFlagsOnTheCommandLine_OverrideTheRest()
    {
        var (flags, parse) = Flags(withDryRun: true);

        var overrides = flags.Given(parse(["--max-delete", "3", "--dry-run"]));
        var stored = new SyncOptions { Parallel = 4, ChunkSize = 1024 * 1024, Force = true, MaxDelete = MaxDeleteLimit.Parse("1", out _) };
        var applied = overrides.ApplyTo(stored);

        Assert.Equal(new SyncOptionOverrides(MaxDelete: MaxDeleteLimit.Parse("3", out _), DryRun: true), overrides);
        Assert.Equal(stored with { MaxDelete = MaxDeleteLimit.Parse("3", out _), DryRun = true }, applied);
    }

    [Fact]
    public void Given_EveryFlag_ParsedAndCarriedIntoPairOptions()
    {
        var (flags, parse) = Flags(withDryRun: false);

        var overrides = flags.Given(parse(["--parallel", "7", "--chunk-size", "2MiB", "--max-delete", "10%", "--force"]));

        Assert.Equal(new SyncOptionOverrides(7, 2 * 1024 * 1024, MaxDeleteLimit.Parse("10%", out _), true), overrides);
        Assert.Equal(new PairOptions(2 * 1024 * 1024, 7, true, "10%"), overrides.ToPairOptions());
        Assert.Equal(new PairOptions(), new SyncOptionOverrides().ToPairOptions());
    }

    [Theory]
    [InlineData("--parallel", "0")]
    [InlineData("--chunk-size", "4XB")]
    [InlineData("--chunk-size", "1KiB")]
    [InlineData("--max-delete", "ten")]
    public void Given_BadValue_ThrowsUsageNamingTheFlag(string option, string value)
    {
        var (flags, parse) = Flags(withDryRun: false);

        var error = Assert.Throws<UsageException>(() => flags.Given(parse([option, value])));

        Assert.StartsWith(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SyncFlags_WithoutDryRun_DeclaresNoDryRunOption()
    {
        Assert.DoesNotContain(new SyncFlags(withDryRun: false).All, o => o.Name == "--dry-run");
        Assert.Contains(new SyncFlags(withDryRun: true).All, o => o.Name == "--dry-run");
    }

    private static (SyncFlags Flags, Func<string[], ParseResult> Parse) Flags(bool withDryRun)
    {
        var flags = new SyncFlags(withDryRun);
        var command = new RootCommand();
        foreach (var option in flags.All)
        {
            command.Add(option);
        }

        return (flags, args => command.Parse(args));
    }
}

using SyncFunctions.Cli.Commands;
using SyncFunctions.Cli.Hosting;

namespace SyncFunctions.IntegrationTests.Cli;

/// <summary>The hidden <c>$SYNCFN_ITEM_LEASE</c> the crash tests use to shorten the item lease.</summary>
public sealed class ItemLeaseOverrideTests
{
    [Fact]
    public void From_NotSetOrBlank_KeepsTheDefaultSettings()
    {
        Assert.Null(ItemLeaseOverride.From(_ => null));
        Assert.Null(ItemLeaseOverride.From(_ => " "));
    }

    [Fact]
    public void From_Duration_SetsOnlyTheItemLease()
    {
        var settings = ItemLeaseOverride.From(v => v == ItemLeaseOverride.EnvironmentVariable ? "20s" : null);

        Assert.NotNull(settings);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.ItemLease);
        Assert.Equal(SyncFunctions.Core.Protocol.StepSettings.Default with { ItemLease = TimeSpan.FromSeconds(20) }, settings);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("1s")]
    [InlineData("2h")]
    public void From_BadValue_ThrowsUsageNamingTheVariable(string text)
    {
        var error = Assert.Throws<UsageException>(() => ItemLeaseOverride.From(_ => text));

        Assert.StartsWith("$SYNCFN_ITEM_LEASE ", error.Message, StringComparison.Ordinal);
    }
}

using SyncFunctions.Cli.Commands;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The undocumented <c>$SYNCFN_ITEM_LEASE</c>: the lease of the work items this process claims (default 60 s). Crash
/// tests shorten it so a killed worker's claim ends in seconds; nobody else needs it, so it has no option.
/// </summary>
internal static class ItemLeaseOverride
{
    public const string EnvironmentVariable = "SYNCFN_ITEM_LEASE";

    /// <summary>A renewal every third of the lease must still fit between two ledger round trips.</summary>
    public static readonly TimeSpan Min = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan Max = TimeSpan.FromHours(1);

    /// <summary>
    /// The run protocol's settings with the lease from <paramref name="getVariable"/> (the process environment when
    /// null); null when the variable is not set. Throws <see cref="UsageException"/> for a bad value.
    /// </summary>
    public static StepSettings? From(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        if (getVariable(EnvironmentVariable) is not { } text || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var name = "$" + EnvironmentVariable;
        var lease = DurationParser.Parse(text, name, out var error) ?? throw new UsageException(error!);
        return lease >= Min && lease <= Max
            ? StepSettings.Default with { ItemLease = lease }
            : throw new UsageException($"{name} must be between 3s and 1h (got '{text}')");
    }
}

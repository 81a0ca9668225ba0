using SyncFunctions.Cli.Commands;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// The per-request network timeout of the storage and Graph connections a command opens: <c>--network-timeout</c>,
/// else <c>$SYNCFN_NETWORK_TIMEOUT</c>, else 30 seconds; read before anything is contacted.
/// </summary>
internal static class NetworkTimeouts
{
    public const string EnvironmentVariable = "SYNCFN_NETWORK_TIMEOUT";

    public const string OptionName = "--network-timeout";

    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan Min = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan Max = TimeSpan.FromHours(1);

    /// <summary>
    /// The timeout from the option (null: not given) or the environment (<paramref name="getVariable"/>: tests pass a
    /// dictionary; the process environment when null); throws <see cref="UsageException"/> naming where a bad value came from.
    /// </summary>
    public static TimeSpan From(string? option, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var (text, name) = option is not null
            ? (option, OptionName)
            : getVariable(EnvironmentVariable) is { } value && !string.IsNullOrWhiteSpace(value)
                ? (value, $"${EnvironmentVariable} (the default of {OptionName})")
                : (null, null);
        if (text is null)
        {
            return Default;
        }

        var timeout = DurationParser.Parse(text, name!, out var error) ?? throw new UsageException(error!);
        return timeout >= Min && timeout <= Max
            ? timeout
            : throw new UsageException($"{name} must be between 1s and 1h (got '{text}')");
    }
}

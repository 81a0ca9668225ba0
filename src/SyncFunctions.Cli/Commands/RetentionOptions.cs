using System.CommandLine;
using SyncFunctions.Core.Snapshots.Maintenance;

namespace SyncFunctions.Cli.Commands;

/// <summary>The <c>--keep-last/--keep-hourly/--keep-daily/--keep-weekly/--keep-monthly</c> options of forget and compact.</summary>
internal sealed class RetentionOptions
{
    private readonly Option<int?> _last = new("--keep-last") { Description = "Keep the N newest snapshots of each pair.", HelpName = "N" };
    private readonly Option<int?> _hourly = Keep("--keep-hourly", "hours");
    private readonly Option<int?> _daily = Keep("--keep-daily", "days");
    private readonly Option<int?> _weekly = Keep("--keep-weekly", "weeks");
    private readonly Option<int?> _monthly = Keep("--keep-monthly", "months");

    /// <summary>The help text's list of the options.</summary>
    public const string Names = "--keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly";

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _last, _hourly, _daily, _weekly, _monthly })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The policy the options give, or null when none was given.</summary>
    /// <exception cref="UsageException">A value is not usable.</exception>
    public RetentionPolicy? Read(ParseResult result)
    {
        var policy = new RetentionPolicy(result.GetValue(_last), result.GetValue(_hourly), result.GetValue(_daily), result.GetValue(_weekly), result.GetValue(_monthly));
        if (policy == new RetentionPolicy(null, null, null, null, null))
        {
            return null;
        }

        return policy.Problem() is { } problem ? throw new UsageException(problem) : policy;
    }

    private static Option<int?> Keep(string name, string what) =>
        new(name) { Description = $"Keep the newest snapshot of each of the last N {what} that have snapshots (per pair).", HelpName = "N" };
}

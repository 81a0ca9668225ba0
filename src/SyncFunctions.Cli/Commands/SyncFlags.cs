using System.CommandLine;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Orchestration.Service;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// The run options of <c>syncfn sync</c> (<c>--parallel</c>, <c>--chunk-size</c>, <c>--dry-run</c>, <c>--max-delete</c>,
/// <c>--force</c>), declared once: <c>sync</c>, <c>sync NAME</c> and <c>pairs add</c> spell, describe and validate them alike.
/// Each command gets its own instance.
/// </summary>
internal sealed class SyncFlags
{
    /// <param name="withDryRun">Declare <c>--dry-run</c> too (a stored pair never is a dry run).</param>
    public SyncFlags(bool withDryRun)
    {
        DryRun = withDryRun ? new Option<bool>("--dry-run") { Description = "Plan and report; change nothing." } : null;
    }

    public Option<int> Parallel { get; } = CommonOptions.Parallel(new SyncOptions().Parallel);

    public Option<string?> ChunkSize { get; } = new("--chunk-size")
    {
        Description = "Size of staged blocks for large files, e.g. 4MiB (default), 8M, 512KiB, 1048576; drive upload-session fragments use it rounded down to a multiple of 320 KiB.",
        HelpName = "SIZE",
    };

    public Option<bool>? DryRun { get; }

    public Option<string?> MaxDelete { get; } = new("--max-delete")
    {
        Description = "Hold back every delete when a run would delete more than N items or P% of the baseline (exit 5); they carry over.",
        HelpName = "N|P%",
    };

    public Option<bool> Force { get; } = new("--force") { Description = "Overwrite destination objects that someone else changed." };

    /// <summary>The options in help order.</summary>
    public IEnumerable<Option> All => DryRun is null ? [Parallel, ChunkSize, MaxDelete, Force] : [Parallel, ChunkSize, DryRun, MaxDelete, Force];

    /// <summary>
    /// The flags given on the command line, parsed and validated (an option left at its default is null); throws
    /// <see cref="UsageException"/> naming the flag.
    /// </summary>
    public SyncOptionOverrides Given(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var overrides = new SyncOptionOverrides(
            IsGiven(result, Parallel) ? result.GetValue(Parallel) : null,
            result.GetValue(ChunkSize) is { } chunk ? SyncOptionOverrides.ParseChunkSize(chunk) : null,
            result.GetValue(MaxDelete) is { } limit ? SyncOptionOverrides.ParseMaxDelete(limit) : null,
            IsGiven(result, Force) ? result.GetValue(Force) : null,
            DryRun is not null && IsGiven(result, DryRun) ? result.GetValue(DryRun) : null);
        overrides.Validate();
        return overrides;
    }

    /// <summary>True when <paramref name="option"/> was written on the command line (not just defaulted).</summary>
    public static bool IsGiven(ParseResult result, Option option) => result?.GetResult(option) is { Implicit: false };
}

/// <summary>Run options given on a command line; null: not given (keep what the run would have otherwise).</summary>
internal sealed record SyncOptionOverrides(int? Parallel = null, long? ChunkSize = null, MaxDeleteLimit? MaxDelete = null, bool? Force = null, bool? DryRun = null)
{
    /// <summary><paramref name="options"/> with every given option put in.</summary>
    public SyncOptions ApplyTo(SyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            Parallel = Parallel ?? options.Parallel,
            ChunkSize = ChunkSize ?? options.ChunkSize,
            MaxDelete = MaxDelete ?? options.MaxDelete,
            Force = Force ?? options.Force,
            DryRun = DryRun ?? options.DryRun,
        };
    }

    /// <summary>The options a named pair stores (what is not given stays unset and so takes the defaults).</summary>
    public PairOptions ToPairOptions() => new(ChunkSize, Parallel, Force, MaxDelete?.ToString());

    /// <summary>Throws <see cref="UsageException"/> naming the flag when a given value is out of range.</summary>
    public void Validate()
    {
        if (ApplyTo(new SyncOptions()).Validate() is { } problem)
        {
            throw new UsageException(CommonOptions.Describe(problem));
        }
    }

    /// <summary>A <c>--chunk-size</c> value in bytes; throws <see cref="UsageException"/>.</summary>
    public static long ParseChunkSize(string text) =>
        SizeParser.Parse(text, "--chunk-size", out var error) ?? throw new UsageException(error!);

    /// <summary>A <c>--max-delete</c> value; throws <see cref="UsageException"/>.</summary>
    public static MaxDeleteLimit ParseMaxDelete(string text) =>
        MaxDeleteLimit.Parse(text, out var error) ?? throw new UsageException("--max-delete " + error);
}

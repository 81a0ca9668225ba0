using SyncFunctions.Abstractions;

namespace SyncFunctions.Cli.Commands;

/// <summary>What a <c>syncfn sync</c> command line asks to sync.</summary>
internal enum SyncTargetKind
{
    /// <summary><c>sync SOURCE DESTINATION</c>.</summary>
    Endpoints,

    /// <summary><c>sync NAME</c>: one named pair.</summary>
    NamedPair,

    /// <summary><c>sync --all</c>: every named pair.</summary>
    AllPairs,
}

/// <summary>The positional arguments and <c>--all</c> of <c>syncfn sync</c>, told apart before anything is contacted.</summary>
internal sealed record SyncTarget(SyncTargetKind Kind, string? Source = null, string? Destination = null, string? Name = null)
{
    /// <summary>Pairs <c>sync --all</c> runs at once unless <c>--parallel</c> says otherwise.</summary>
    public const int DefaultPairsAtOnce = 1;

    public const int MaxPairsAtOnce = 100;

    /// <summary>Two arguments: endpoints; one: a pair name; none with <c>--all</c>: every pair. Throws <see cref="UsageException"/>.</summary>
    public static SyncTarget Parse(string? first, string? second, bool all)
    {
        if (all)
        {
            return first is null && second is null
                ? new SyncTarget(SyncTargetKind.AllPairs)
                : throw new UsageException("--all runs every named pair: give it no SOURCE, DESTINATION or NAME");
        }

        if (first is null)
        {
            throw new UsageException("sync needs SOURCE DESTINATION, the NAME of a pair, or --all");
        }

        if (second is not null)
        {
            return new SyncTarget(SyncTargetKind.Endpoints, first, second);
        }

        return PairNames.Validate(first) is { } problem
            ? throw new UsageException($"{problem}; sync takes SOURCE DESTINATION, or the NAME of a pair ('syncfn pairs list' shows them)")
            : new SyncTarget(SyncTargetKind.NamedPair, Name: first);
    }

    /// <summary><c>--parallel</c> of <c>sync --all</c> (null: not given): pairs at once, 1..100. Throws <see cref="UsageException"/>.</summary>
    public static int PairsAtOnce(int? given) => given switch
    {
        null => DefaultPairsAtOnce,
        >= 1 and <= MaxPairsAtOnce => given.Value,
        _ => throw new UsageException($"--parallel with --all must be between 1 and {MaxPairsAtOnce} pairs at once (got {given})"),
    };
}

using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Planning;

/// <summary>What the planner decided for one path, with everything the executor needs to do it safely.</summary>
/// <param name="Kind">Upload, Delete or baseline-only update.</param>
/// <param name="Path">The relative path.</param>
/// <param name="Source">The source object (null for a delete).</param>
/// <param name="Baseline">What was last synced for the path (null for a new path).</param>
/// <param name="Destination">The listed destination object, when the destination was listed and holds one.</param>
/// <param name="ExpectedDestETag">If-Match for the write or delete; null means If-None-Match (the path must be free).</param>
/// <param name="VerifyHashFirst">Hash the source first: when it equals <paramref name="KnownSha256"/> nothing is transferred.</param>
/// <param name="KnownSha256">The hash to compare against (the baseline's, or the destination's metadata).</param>
/// <param name="Reason">Why, for logs and dry runs: "new", "changed", "deleted at source", ...</param>
public sealed record PlannedAction(
    ActionKind Kind,
    string Path,
    ObjectInfo? Source,
    BaselineEntry? Baseline,
    ObjectInfo? Destination,
    string? ExpectedDestETag,
    bool VerifyHashFirst,
    string? KnownSha256,
    string Reason);

/// <summary>
/// One item of a plan: an action or a skipped source path; exactly one is non-null. Paths that need
/// nothing produce no item.
/// </summary>
public readonly record struct PlanItem(PlannedAction? Action, SkippedObject? Skipped)
{
    /// <summary>The path of the action or the skipped entry.</summary>
    public string Path => Action?.Path ?? Skipped?.Path ?? "";
}

/// <summary>A stream given to the planner was not in strictly increasing ordinal order.</summary>
/// <remarks>
/// Planning stops rather than guessing: a merge over unordered input could plan an upload and a
/// delete of the same path.
/// </remarks>
public sealed class OutOfOrderException : InvalidOperationException
{
    public OutOfOrderException(string stream, string previousPath, string path)
        : base($"The {stream} listing is out of order: '{path}' came after '{previousPath}' (ordinal order of the full path is required); planning stopped.")
    {
        Stream = stream;
        PreviousPath = previousPath;
        Path = path;
    }

    public OutOfOrderException()
        : this("unknown", "", "")
    {
    }

    public OutOfOrderException(string message)
        : base(message)
    {
        Stream = "unknown";
        PreviousPath = "";
        Path = "";
    }

    public OutOfOrderException(string message, Exception innerException)
        : base(message, innerException)
    {
        Stream = "unknown";
        PreviousPath = "";
        Path = "";
    }

    /// <summary>"source", "baseline" or "destination".</summary>
    public string Stream { get; }

    public string PreviousPath { get; }

    public string Path { get; }
}

namespace SyncFunctions.Abstractions;

/// <summary>
/// Condition and metadata for a destination write or delete.
/// </summary>
/// <param name="IfMatch">Write only when the destination's current version equals this ETag.</param>
/// <param name="IfNoneMatch">Write only when nothing exists at the path (new paths).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content, stored as metadata <c>sha256</c>.</param>
/// <param name="SourceLastModified">Source modification time, stored so a local destination can keep it.</param>
public sealed record WriteOptions(
    string? IfMatch = null,
    bool IfNoneMatch = false,
    string? Sha256 = null,
    DateTimeOffset? SourceLastModified = null)
{
    /// <summary>No condition at all (<c>--force</c>).</summary>
    public static WriteOptions Unconditional { get; } = new();
}

/// <summary>The destination's state after a successful write.</summary>
/// <param name="ETag">The new version token, recorded in the baseline for the next conditional write.</param>
/// <param name="LastModified">The destination's modification time.</param>
public sealed record WriteResult(string ETag, DateTimeOffset LastModified);

namespace SyncFunctions.Core.Snapshots;

/// <summary>
/// Finds the snapshot a user names: its full id, a unique prefix of at least <see cref="MinPrefix"/> hex digits, or
/// <c>latest</c> (the newest snapshot, of the pair when one is given).
/// </summary>
public static class SnapshotSelector
{
    /// <summary>The shortest prefix accepted.</summary>
    public const int MinPrefix = 4;

    /// <summary>The snapshot <paramref name="text"/> names among <paramref name="snapshots"/> (oldest first), or null with the reason in <paramref name="error"/>.</summary>
    /// <param name="snapshots">The repository's snapshots, oldest first (<see cref="SnapshotReader.ListAsync"/>).</param>
    /// <param name="text">What the user wrote.</param>
    /// <param name="pairId">Only snapshots of this pair (null: any).</param>
    /// <param name="error">Why nothing was found (null on success).</param>
    public static StoredSnapshot? Find(IReadOnlyList<StoredSnapshot> snapshots, string text, string? pairId, out string? error)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(text);
        var candidates = pairId is null ? snapshots : [.. snapshots.Where(s => s.Record.Pair.Id == pairId)];
        var scope = pairId is null ? "the repository" : $"pair {pairId}";
        if (text == "latest")
        {
            error = candidates.Count == 0 ? $"{scope} has no snapshots" : null;
            return candidates.Count == 0 ? null : candidates[^1];
        }

        if (text.Length < MinPrefix || text.Length > Format.ObjectId.HexLength || !text.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
        {
            error = $"'{text}' is not a snapshot: give 'latest', its id or at least {MinPrefix} of its first lowercase hex digits";
            return null;
        }

        var matches = candidates.Where(s => s.Id.ToString().StartsWith(text, StringComparison.Ordinal)).Take(2).ToList();
        error = matches.Count switch
        {
            0 => $"{scope} has no snapshot {text}",
            1 => null,
            _ => $"'{text}' is the start of several snapshot ids ({matches[0].Id.ToString()[..12]}…, {matches[1].Id.ToString()[..12]}…): give more digits",
        };
        return matches.Count == 1 ? matches[0] : null;
    }
}

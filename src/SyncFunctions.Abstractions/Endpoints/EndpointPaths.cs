namespace SyncFunctions.Abstractions.Endpoints;

/// <summary>Rules on the '/'-separated paths endpoints are rooted at (folders, blob prefixes, drive folders).</summary>
public static class EndpointPaths
{
    /// <summary>
    /// True when <paramref name="first"/> and <paramref name="second"/> are the same path or one is below the other,
    /// segment-wise (<c>a</c> holds <c>a/b</c>, not <c>ab</c>); an empty path holds everything.
    /// </summary>
    public static bool Overlap(string first, string second) => IsSameOrInside(first, second) || IsSameOrInside(second, first);

    private static bool IsSameOrInside(string outer, string inner) =>
        outer.Length == 0 || inner == outer || inner.StartsWith(outer.TrimEnd('/') + "/", StringComparison.Ordinal);
}

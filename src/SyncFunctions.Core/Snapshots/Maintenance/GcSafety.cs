namespace SyncFunctions.Core.Snapshots.Maintenance;

/// <summary>The garbage collector's safety parameters (see docs/snapshots.md, "Forget and garbage collection").</summary>
/// <param name="MinimumAge">
/// How old an unreferenced object must be before it is marked, and how old the oldest of its marks before it is
/// deleted. Why: a snapshot in flight writes its chunks, packs, indexes and trees before its record, so they look
/// unreferenced until it finishes; writers are assumed to finish within this time of opening (or refreshing) the
/// repository.
/// </param>
/// <param name="CyclesBeforeDelete">
/// In how many consecutive marks an object must appear before it is deleted. Why: a writer that read the marks before
/// the first one was written may still reference the object; by the time the oldest mark is old enough, that writer
/// has finished and its record shows the reference to the cycle that would delete.
/// </param>
/// <param name="ClockSkewMargin">
/// Added to <see cref="MinimumAge"/> wherever an age is compared. Why: the store's times (last-modified, from the
/// service's clock) and the collector's clock disagree a little.
/// </param>
public sealed record GcSafety(TimeSpan MinimumAge, int CyclesBeforeDelete, TimeSpan ClockSkewMargin)
{
    /// <summary>One day, two cycles, ten minutes.</summary>
    public static GcSafety Default { get; } = new(TimeSpan.FromDays(1), 2, TimeSpan.FromMinutes(10));

    /// <summary><see cref="MinimumAge"/> plus <see cref="ClockSkewMargin"/>: what "old enough" means.</summary>
    public TimeSpan Grace => MinimumAge + ClockSkewMargin;

    /// <summary>Null when the parameters are safe to use, else what is wrong.</summary>
    public string? Problem()
    {
        if (MinimumAge < TimeSpan.Zero)
        {
            return "the minimum age is not negative";
        }

        if (ClockSkewMargin < TimeSpan.Zero)
        {
            return "the clock-skew margin is not negative";
        }

        return CyclesBeforeDelete < 2
            ? $"an object is deleted after at least 2 cycles of marks, not {CyclesBeforeDelete} (one cycle cannot see a snapshot in flight)"
            : null;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// A plan as a preview shows it (<c>syncfn sync --dry-run</c>, <c>POST /api/pairs/{name}/plan</c>): counts, bytes,
/// deletes, the first items, and the <see cref="Fingerprint"/> that a run applying it must plan again before it
/// executes anything.
/// </summary>
/// <param name="Fingerprint">See <see cref="PlanFingerprint"/>.</param>
/// <param name="Actions">Every action planned, skipped ones included.</param>
/// <param name="Uploads">Copies of new or changed files.</param>
/// <param name="Deletes">Deletes at the destination.</param>
/// <param name="Moves">Moves of files and folders at the destination.</param>
/// <param name="BaselineUpdates">Files unchanged in content whose record is updated only.</param>
/// <param name="Skipped">Source entries that cannot be synced (their reasons are in <paramref name="SkippedItems"/>).</param>
/// <param name="Bytes">Bytes the uploads cover.</param>
/// <param name="DeletesHeldBack">The delete limit would hold back every delete of the plan.</param>
/// <param name="Items">The first planned changes, in plan order.</param>
/// <param name="SkippedItems">The first skipped entries with their reasons.</param>
public sealed record PlanPreview(
    string Fingerprint,
    long Actions,
    long Uploads,
    long Deletes,
    long Moves,
    long BaselineUpdates,
    long Skipped,
    long Bytes,
    bool DeletesHeldBack,
    IReadOnlyList<PlannedChange> Items,
    IReadOnlyList<PathProblem> SkippedItems)
{
    /// <summary>The preview of <paramref name="actions"/> (a run's planned actions) with at most <paramref name="maxItems"/> listed of each kind.</summary>
    public static PlanPreview Of(IReadOnlyCollection<ActionRecord> actions, bool deletesHeldBack, int maxItems)
    {
        ArgumentNullException.ThrowIfNull(actions);
        long uploads = 0, deletes = 0, moves = 0, updates = 0, skipped = 0, bytes = 0;
        var items = new List<PlannedChange>();
        var skippedItems = new List<PathProblem>();
        foreach (var a in actions)
        {
            if (a.Status == ActionStatus.Skipped && a.Kind != ActionKind.Delete)
            {
                skipped++;
                if (skippedItems.Count < maxItems)
                {
                    skippedItems.Add(new PathProblem(a.Path, a.LastError ?? "skipped"));
                }

                continue;
            }

            switch (a.Kind)
            {
                case ActionKind.Upload:
                    uploads++;
                    bytes += a.SourceSize;
                    break;
                case ActionKind.Delete:
                    deletes++;
                    break;
                case ActionKind.Move or ActionKind.MoveFolder:
                    moves++;
                    break;
                default:
                    updates++;
                    break;
            }

            if (items.Count < maxItems)
            {
                items.Add(new PlannedChange(a.Kind.ToString(), a.Path, a.SourceSize, a.Reason ?? ""));
            }
        }

        return new PlanPreview(PlanFingerprint.Of(actions), actions.Count, uploads, deletes, moves, updates, skipped, bytes, deletesHeldBack && deletes > 0, items, skippedItems);
    }
}

/// <summary>
/// The fingerprint of a plan: SHA-256 over every planned action's kind, paths, status and reason and the source and
/// destination versions it was planned against, in path order (ids of items and actions do not count, so the same
/// plan written in other work items has the same fingerprint). Two plans with one fingerprint do the same things to
/// the same versions.
/// </summary>
public static class PlanFingerprint
{
    /// <summary>Its text form's prefix.</summary>
    public const string Prefix = "sha256:";

    public static string Of(IEnumerable<ActionRecord> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var lines = actions.Select(Line).Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(line));
            sha.AppendData("\u001e"u8);
        }

        return Prefix + Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string Line(ActionRecord a) => string.Join(
        '\u001f',
        a.Path,
        a.Kind.ToString(),
        a.FromPath ?? "",
        a.Status == ActionStatus.Skipped ? "skipped" : "planned",
        a.Reason ?? "",
        a.Status == ActionStatus.Skipped ? a.LastError ?? "" : "",
        a.SourceSize.ToString(CultureInfo.InvariantCulture),
        a.SourceVersion ?? "",
        a.SourceSha256 ?? "",
        a.SourceQuickXorHash ?? "",
        a.SourceItemId ?? "",
        a.ExpectedDestETag ?? "",
        a.DestinationETag ?? "",
        a.KnownSha256 ?? "",
        a.VerifyHashFirst ? "verify" : "");
}

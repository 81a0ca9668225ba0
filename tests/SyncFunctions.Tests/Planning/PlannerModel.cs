using CsCheck;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Tests.Planning;

/// <summary>How one path looks in a generated (source, baseline, destination) triple.</summary>
/// <param name="SourceKind">0 absent, 1 skipped, 2 as synced, 3 touched (same content, new version/time), 4 modified, 5 modified within the same second (new version, same time).</param>
/// <param name="ContentA">Content id of the synced version (and of a foreign destination object).</param>
/// <param name="ContentB">Content id of a new source version.</param>
/// <param name="DestKind">With a baseline: 0/3 as synced, 1 missing, 2 changed by someone else. Without: 0/3 absent, 1 a foreign object, 2 an object with the source's content.</param>
/// <param name="ShaBits">Which sides know the hash: 1 baseline, 2 source, 4 destination.</param>
/// <param name="HasBaseline">Whether the path was synced before.</param>
public sealed record PathSpec(int SourceKind, int ContentA, int ContentB, int DestKind, int ShaBits, bool HasBaseline);

/// <summary>A generated triple over <see cref="PlannerModel.Names"/>.</summary>
public sealed record Scenario(bool DestinationListed, bool VersionsKnown, PathSpec[] Specs)
{
    public override string ToString() =>
        $"listed={DestinationListed} versions={VersionsKnown} " + string.Join("; ", Specs.Select((s, i) => $"'{PlannerModel.Names[i][..Math.Min(12, PlannerModel.Names[i].Length)]}': {s}"));
}

/// <summary>One destination object of the model.</summary>
public sealed record DestObject(int Content, string ETag, bool ShaKnown);

/// <summary>
/// The world a scenario describes, and a model executor that applies a plan to it the way the engine
/// does (conditional writes, hash-first checks, deletes that treat a missing object as deleted).
/// </summary>
public sealed class PlannerWorld
{
    public required bool DestinationListed { get; init; }
    public required SortedDictionary<string, ObjectInfo> Source { get; init; }
    public required SortedDictionary<string, int> SourceContent { get; init; }
    public required SortedSet<string> Skipped { get; init; }
    public required SortedDictionary<string, BaselineEntry> Baseline { get; init; }
    public required SortedDictionary<string, DestObject> Destination { get; init; }

    public IEnumerable<ListingEntry> SourceListing() =>
        Source.Keys.Union(Skipped, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(p => Skipped.Contains(p) ? ListingEntry.Skip(p, "unreadable") : ListingEntry.Of(Source[p]));

    public IEnumerable<ListingEntry>? DestinationListing() =>
        DestinationListed ? Destination.Select(kv => ListingEntry.Of(PlannerModel.DestInfo(kv.Key, kv.Value))) : null;

    /// <summary>Applies the plan; returns the paths whose write or delete failed its condition.</summary>
    public SortedSet<string> Apply(IReadOnlyList<PlanItem> plan)
    {
        var conflicts = new SortedSet<string>(StringComparer.Ordinal);
        var etags = 0;
        foreach (var action in plan.Select(i => i.Action).OfType<PlannedAction>())
        {
            var path = action.Path;
            Destination.TryGetValue(path, out var dest);
            switch (action.Kind)
            {
                case ActionKind.Upload:
                    var content = SourceContent[path];
                    if (action.VerifyHashFirst && action.KnownSha256 == PlannerModel.Sha(content))
                    {
                        Baseline[path] = Synced(Source[path], content, action.Baseline?.DestETag ?? action.Destination!.Version!);
                    }
                    else if (action.ExpectedDestETag is null ? dest is null : dest?.ETag == action.ExpectedDestETag)
                    {
                        var etag = $"\"w{++etags}-{path.Length}\"";
                        Destination[path] = new DestObject(content, etag, true);
                        Baseline[path] = Synced(Source[path], content, etag);
                    }
                    else
                    {
                        conflicts.Add(path);
                    }

                    break;
                case ActionKind.Delete:
                    if (dest is null || dest.ETag == action.ExpectedDestETag)
                    {
                        Destination.Remove(path);
                        Baseline.Remove(path);
                    }
                    else
                    {
                        conflicts.Add(path);
                    }

                    break;
                case ActionKind.UpdateBaseline:
                    Baseline[path] = Synced(Source[path], SourceContent[path], action.Baseline!.DestETag!);
                    break;
            }
        }

        return conflicts;
    }

    private static BaselineEntry Synced(ObjectInfo source, int content, string destETag) => new()
    {
        PairId = "p",
        Path = source.Path,
        Size = source.Size,
        LastModified = source.LastModified,
        SourceVersion = source.Version,
        Sha256 = PlannerModel.Sha(content),
        DestETag = destETag,
    };
}

/// <summary>Generators and world building for the planner properties.</summary>
public static class PlannerModel
{
    /// <summary>Awkward names in ordinal order ("日本" and "日本/ファイル" both exist, as Blob Storage allows).</summary>
    public static readonly string[] Names = new[]
    {
        "a", "a-b", "a.txt", "a0", "b/x", "b/c/d", "b-", "A", "ä", "a\u0308", "日本", "日本/ファイル", " x", "x.", "#", "%", "a b", "😀",
        "~", "z/" + new string('L', 300), "z/" + new string('L', 600), "z/" + new string('L', 600) + "M",
    }.Order(StringComparer.Ordinal).ToArray();

    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly Gen<PathSpec> SpecGen =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 5], Gen.Int[0, 5], Gen.Int[0, 3], Gen.Int[0, 7], Gen.Bool,
            (s, a, b, d, bits, hb) => new PathSpec(s, a, b, d, bits, hb));

    public static readonly Gen<Scenario> ScenarioGen =
        Gen.Select(Gen.Bool, Gen.Bool, SpecGen.Array[Names.Length], (listed, versions, specs) => new Scenario(listed, versions, specs));

    /// <summary>Six contents, three sizes: equal sizes with different content are common.</summary>
    public static long Size(int content) => content % 3 + 1;

    public static string Sha(int content) => Convert.ToHexStringLower(BitConverter.GetBytes((long)content + 1000)).PadLeft(64, '0');

    public static DateTimeOffset Time(int step) => T0.AddSeconds(step);

    public static ObjectInfo DestInfo(string path, DestObject dest) =>
        new(path, Size(dest.Content), Time(50), dest.ETag, dest.ShaKnown ? Sha(dest.Content) : null);

    public static PlannerWorld Build(Scenario scenario)
    {
        var world = new PlannerWorld
        {
            DestinationListed = scenario.DestinationListed,
            Source = new(StringComparer.Ordinal),
            SourceContent = new(StringComparer.Ordinal),
            Skipped = new(StringComparer.Ordinal),
            Baseline = new(StringComparer.Ordinal),
            Destination = new(StringComparer.Ordinal),
        };
        for (var i = 0; i < Names.Length; i++)
        {
            AddPath(world, scenario, i);
        }

        return world;
    }

    private static void AddPath(PlannerWorld world, Scenario scenario, int i)
    {
        var (name, spec, versions) = (Names[i], scenario.Specs[i], scenario.VersionsKnown);
        BaselineEntry? baseline = null;
        if (spec.HasBaseline)
        {
            baseline = new BaselineEntry
            {
                PairId = "p",
                Path = name,
                Size = Size(spec.ContentA),
                LastModified = Time(1),
                SourceVersion = versions ? $"v1-{i}" : null,
                Sha256 = (spec.ShaBits & 1) != 0 ? Sha(spec.ContentA) : null,
                DestETag = $"\"e1-{i}\"",
            };
            world.Baseline[name] = baseline;
        }

        var source = SourceOf(spec, baseline, versions, i);
        if (spec.SourceKind == 1)
        {
            world.Skipped.Add(name);
        }
        else if (source is { } s)
        {
            world.Source[name] = new ObjectInfo(name, Size(s.Content), s.Time, s.Version, (spec.ShaBits & 2) != 0 ? Sha(s.Content) : null);
            world.SourceContent[name] = s.Content;
        }

        var dest = DestinationOf(spec, baseline, source?.Content, scenario.DestinationListed, i);
        if (dest is not null)
        {
            world.Destination[name] = dest;
        }
    }

    private static (int Content, DateTimeOffset Time, string? Version)? SourceOf(PathSpec spec, BaselineEntry? baseline, bool versions, int i)
    {
        if (spec.SourceKind <= 1)
        {
            return null;
        }

        string? V(int n) => versions ? $"v{n}-{i}" : null;
        if (baseline is null)
        {
            return (spec.ContentB, Time(3), V(3));
        }

        return spec.SourceKind switch
        {
            2 => (spec.ContentA, Time(1), baseline.SourceVersion),
            3 => (spec.ContentA, Time(2), V(2)),
            5 when versions => (spec.ContentB, Time(1), V(4)),
            _ => (spec.ContentB, Time(3), V(3)),
        };
    }

    private static DestObject? DestinationOf(PathSpec spec, BaselineEntry? baseline, int? sourceContent, bool listed, int i)
    {
        var shaKnown = (spec.ShaBits & 4) != 0;
        if (baseline is not null)
        {
            // Unlisted destinations are assumed to match the baseline; only listed ones may differ.
            return (listed ? spec.DestKind : 0) switch
            {
                1 => null,
                2 => new DestObject((spec.ContentA + spec.ContentB) % 6, $"\"x-{i}\"", shaKnown),
                _ => new DestObject(spec.ContentA, baseline.DestETag!, shaKnown),
            };
        }

        return spec.DestKind switch
        {
            1 => new DestObject(spec.ContentA, $"\"y-{i}\"", shaKnown),
            2 => new DestObject(sourceContent ?? spec.ContentA, $"\"y-{i}\"", shaKnown),
            _ => null,
        };
    }
}

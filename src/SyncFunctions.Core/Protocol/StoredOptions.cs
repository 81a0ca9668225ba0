using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SyncFunctions.Core.Protocol;

/// <summary>
/// The options a run was started with, stored on its run row so every step, a resumed run and a joining worker use
/// the same ones: chunk ids depend on the chunk size, conditions on force, the delete guard on the limit.
/// </summary>
/// <remarks>
/// Format (JSON, camelCase): <c>{"chunkSize":4194304,"force":false,"maxDelete":"10%","parallel":16,"dryRun":false}</c>.
/// A run applying a previewed plan adds <c>"expectedPlan":"sha256:..."</c>. Rows written before <c>dryRun</c> existed
/// read as false; unknown properties are ignored.
/// </remarks>
public static class StoredOptions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string ToJson(SyncOptions o) =>
        JsonSerializer.Serialize(new Stored(o.ChunkSize, o.Force, o.MaxDelete?.ToString(), o.Parallel, o.DryRun, o.ExpectedPlan), Json);

    /// <summary>The run's stored options, with this process's <paramref name="current"/> for what is not stored (or unreadable).</summary>
    public static SyncOptions Restore(string json, SyncOptions current)
    {
        var s = Read(json);
        if (s is null)
        {
            return current;
        }

        var limit = s.MaxDelete is { } text ? MaxDeleteLimit.Parse(text, out _) : null;
        return current with
        {
            ChunkSize = s.ChunkSize > 0 ? s.ChunkSize : current.ChunkSize,
            Force = s.Force,
            MaxDelete = limit,
            DryRun = s.DryRun,
            ExpectedPlan = s.ExpectedPlan,
            Parallel = s.Parallel is >= SyncOptions.MinParallel and <= SyncOptions.MaxParallel ? s.Parallel : current.Parallel,
        };
    }

    /// <summary>The options of <paramref name="given"/> that differ from the run's <paramref name="stored"/> ones, in the run's words; null when none.</summary>
    public static string? Differences(SyncOptions stored, SyncOptions given)
    {
        var notes = new List<string>();
        if (stored.ChunkSize != given.ChunkSize)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"chunk size {stored.ChunkSize} bytes (asked: {given.ChunkSize}; its staged blocks stay usable)"));
        }

        if (stored.Force != given.Force)
        {
            notes.Add($"force {(stored.Force ? "on" : "off")} (asked: {(given.Force ? "on" : "off")})");
        }

        if (!Equals(stored.MaxDelete, given.MaxDelete))
        {
            notes.Add($"delete limit {stored.MaxDelete?.ToString() ?? "none"} (asked: {given.MaxDelete?.ToString() ?? "none"})");
        }

        return notes.Count == 0 ? null : "the resumed run keeps the options it was started with: " + string.Join(", ", notes);
    }

    private static Stored? Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Stored>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Stored(long ChunkSize, bool Force, string? MaxDelete, int Parallel, bool DryRun, string? ExpectedPlan = null);
}

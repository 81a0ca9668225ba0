using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Core.Chunking;
using SyncFunctions.Core.Snapshots;
using SyncFunctions.Core.Snapshots.Format;
using SyncFunctions.Tests.Fakes;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>Small repositories for the content and snapshot tests: tiny chunks and packs, so packs roll over quickly.</summary>
internal static class RepositoryKit
{
    /// <summary>256 / 1024 / 8192: a few KiB of content already makes several chunks.</summary>
    public static readonly ChunkerOptions Chunker = new(256, 1024, 8192);

    /// <summary>64 KiB packs.</summary>
    public const int PackTarget = 64 * 1024;

    public static readonly SnapshotPair Pair = new("pair-1", "docs");

    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    public static Task<SnapshotRepository> InitAsync(InMemoryObjectStore store) =>
        SnapshotRepository.InitAsync(store, Chunker, NewClock(), CancellationToken.None);

    public static SnapshotInfo Info(string runId = "run-1", SnapshotPair? pair = null) => new(pair ?? Pair, "local:/src", "host-1", runId);

    /// <summary>Deterministic incompressible bytes.</summary>
    public static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Chunks each file with one writer, flushes it, and returns the snapshot files in ordinal path order.</summary>
    public static async Task<List<SnapshotFile>> ChunkAsync(SnapshotRepository repository, ChunkWriter writer, IReadOnlyDictionary<string, byte[]> files)
    {
        var result = new List<SnapshotFile>();
        foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            using var stream = new MemoryStream(content, writable: false);
            var chunked = await repository.Content.ChunkFileAsync(stream, writer, CancellationToken.None);
            result.Add(new SnapshotFile(path, new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(content.Length % 1000), chunked));
        }

        await writer.FlushAsync(CancellationToken.None);
        return result;
    }

    /// <summary>Chunks the files with a new writer and writes a snapshot of them; returns the snapshot and the writer (for its counters).</summary>
    public static async Task<(StoredSnapshot Snapshot, ChunkWriter Writer)> SnapshotAsync(
        SnapshotRepository repository, IReadOnlyDictionary<string, byte[]> files, string runId = "run-1")
    {
        var writer = repository.Content.NewWriter(PackTarget);
        var snapshotFiles = await ChunkAsync(repository, writer, files);
        var snapshot = await new SnapshotWriter(repository, NewClock()).WriteAsync(ToAsync(snapshotFiles), Info(runId), CancellationToken.None);
        return (snapshot, writer);
    }

    public static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    public static int PackCount(InMemoryObjectStore store) => store.Paths.Count(p => p.StartsWith(RepositoryLayout.PacksFolder, StringComparison.Ordinal));

    /// <summary>Body bytes written to packs since the counters were reset.</summary>
    public static int PackWrites(InMemoryObjectStore store) =>
        store.WriteCounts.Where(w => w.Key.StartsWith(RepositoryLayout.PacksFolder, StringComparison.Ordinal)).Sum(w => w.Value);

    public static void AssertSameFiles(IReadOnlyDictionary<string, byte[]> expected, IReadOnlyDictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, content) in expected)
        {
            Assert.True(content.AsSpan().SequenceEqual(actual[path]), $"content of '{path}' differs");
        }
    }
}

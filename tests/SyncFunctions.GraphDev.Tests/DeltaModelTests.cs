using CsCheck;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev.Tests;

/// <summary>
/// Model-based check of the change log: whatever edits happen (also while a round is being paged),
/// applying delta rounds record by record (last wins, tombstones remove) reproduces the drive.
/// </summary>
public sealed class DeltaModelTests
{
    private sealed record Seen(string? ParentId, string Name, bool IsFolder, string ETag);

    [Fact]
    public void ReadDelta_RandomEditsBeforeAndDuringPaging_ApplyToTheCurrentState()
    {
        var op = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 10_000], Gen.Int[0, 10_000]);
        Gen.Select(op.Array[0, 30], op.Array[0, 10], Gen.Int[1, 6], Gen.Bool).Sample((before, during, top, ancestors) =>
        {
            using var drive = GraphDevDrive.Open(new GraphDevOptions { SeedFiles = 15, SeedFilesPerFolder = 4 });
            var state = new Dictionary<string, Seen>(StringComparer.Ordinal);
            var cursor = Round(drive, drive.StartFullEnumeration(), top, ancestors, state, []);
            foreach (var (kind, a, b) in before)
            {
                Apply(drive, kind, a, b);
            }

            cursor = Round(drive, cursor, top, ancestors, state, during);
            _ = Round(drive, cursor, top, ancestors, state, []);

            var expected = drive.Snapshot().ToDictionary(i => i.Id, i => new Seen(i.ParentId, i.Name, i.IsFolder, i.ETag));
            Assert.Equal(expected.OrderBy(p => p.Key), state.OrderBy(p => p.Key));
        }, iter: 150);
    }

    /// <summary>Reads one round (applying one of <paramref name="edits"/> after each page) and returns its deltaLink cursor.</summary>
    private static DeltaCursor Round(GraphDevDrive drive, DeltaCursor cursor, int top, bool ancestors, Dictionary<string, Seen> state, (int, int, int)[] edits)
    {
        var pending = new Queue<(int, int, int)>(edits);
        while (true)
        {
            var page = drive.ReadDelta(cursor, top, ancestors);
            foreach (var view in page.Items)
            {
                var item = view.State;
                if (item.Deleted)
                {
                    state.Remove(item.Id);
                }
                else
                {
                    state[item.Id] = new Seen(item.ParentId, item.Name, item.IsFolder, item.ETag);
                }
            }

            if (pending.TryDequeue(out var edit))
            {
                Apply(drive, edit.Item1, edit.Item2, edit.Item3);
            }

            if (page.IsLast && pending.Count == 0)
            {
                return page.Next;
            }

            cursor = page.Next;
        }
    }

    private static void Apply(GraphDevDrive drive, int kind, int a, int b)
    {
        var items = drive.Snapshot().OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
        var folders = items.Where(i => i.IsFolder).ToList();
        var movable = items.Where(i => i.ParentId is not null).ToList();
        var files = items.Where(i => !i.IsFolder).ToList();
        var folder = folders[a % folders.Count];
        try
        {
            switch (kind)
            {
                case 0:
                    drive.WriteFile(Combine(folder.Path, $"new{b}.txt"), [(byte)b]);
                    break;
                case 1 when files.Count > 0:
                    drive.UpdateContent(files[b % files.Count].Id, [(byte)a, (byte)b]);
                    break;
                case 2 when movable.Count > 0:
                    drive.Rename(movable[b % movable.Count].Id, $"renamed{a}");
                    break;
                case 3 when movable.Count > 0:
                    drive.Move(movable[b % movable.Count].Id, folder.Id);
                    break;
                case 4 when movable.Count > 0:
                    drive.Delete(movable[b % movable.Count].Id);
                    break;
                default:
                    drive.CreateFolder(Combine(folder.Path, $"dir{b}"));
                    break;
            }
        }
        catch (GraphDevException)
        {
            // Name clashes and moves into a descendant are rejected; the drive stays as it was.
        }
    }

    private static string Combine(string folder, string name) => folder.Length == 0 ? name : $"{folder}/{name}";
}

using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev;

/// <summary>Seeding a large generated drive, and the convenience API tests use to edit the drive.</summary>
public sealed partial class GraphDevDrive
{
    /// <summary>
    /// Adds <paramref name="files"/> generated files below the root: <c>tNNNN/sN/fileNNNNNN.bin</c> (numbers
    /// continue from earlier seedings), ten
    /// sub-folders per top folder and <paramref name="filesPerFolder"/> files per sub-folder. Contents
    /// are deterministic bytes from (<paramref name="seed"/>, file number) of 0..<paramref name="maxFileSize"/>
    /// bytes, produced only when read, so 100,000 files take a few seconds and little memory.
    /// </summary>
    public void Seed(int files, int seed = 1, int filesPerFolder = 100, int maxFileSize = 2048)
    {
        var spec = new SeedSpec(files, seed, filesPerFolder, maxFileSize, Now());
        lock (_gate)
        {
            SeedLocked(spec);
            _journal?.AppendSeed(spec, _idCounter);
        }

        RaiseChanged();
    }

    /// <summary>Creates (or returns) the folder at <paramref name="path"/>, creating missing parents.</summary>
    public DriveItemInfo CreateFolder(string path)
    {
        ItemState folder;
        lock (_gate)
        {
            folder = _items[RootId];
            foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                ValidateName(segment);
                folder = FindChild(folder.Id, segment) is { IsFolder: true } existing
                    ? existing
                    : CreateFolderLocked(folder, segment, ConflictBehavior.Fail).Item1;
            }
        }

        RaiseChanged();
        return Get(folder.Id)!;
    }

    /// <summary>Creates or replaces the file at <paramref name="path"/> (missing folders are created).</summary>
    public DriveItemInfo WriteFile(string path, ReadOnlySpan<byte> content, DateTimeOffset? lastModified = null)
    {
        var blob = _contentStore.FromBytes(content);
        var times = lastModified is null ? null : new FileTimes(null, lastModified);
        var (item, _) = PutFileAtPath(RootId, path, blob, new PutRequest(ConflictBehavior.Replace, null, null, times));
        return Get(item.Id)!;
    }

    /// <summary>Replaces a file's content (new cTag and eTag, same id).</summary>
    public DriveItemInfo UpdateContent(string itemId, ReadOnlySpan<byte> content)
    {
        var item = ReplaceContent(itemId, _contentStore.FromBytes(content), new PutRequest(ConflictBehavior.Replace, null, null, null));
        return Get(item.Id)!;
    }

    /// <summary>Renames an item in place (new eTag, same cTag).</summary>
    public DriveItemInfo Rename(string itemId, string newName)
    {
        var item = Update(itemId, new ItemUpdate(newName, null, null, null, ConflictBehavior.Fail));
        return Get(item.Id)!;
    }

    /// <summary>Moves an item to another folder, optionally renaming it.</summary>
    public DriveItemInfo Move(string itemId, string newParentId, string? newName = null)
    {
        var item = Update(itemId, new ItemUpdate(newName, newParentId, null, null, ConflictBehavior.Fail));
        return Get(item.Id)!;
    }

    /// <summary>Deletes an item (a folder with its subtree); delta reports tombstones.</summary>
    public void Delete(string itemId) => Delete(itemId, ifMatch: null);

    /// <summary>Creates the root folder of a new drive.</summary>
    internal void CreateRoot(DateTimeOffset now)
    {
        lock (_gate)
        {
            var seq = ++_seq;
            Commit(new ItemState(RootId, null, "root", true, null, seq, seq, now, now, now, now, false), null);
        }
    }

    private int _seededFiles;

    private void SeedLocked(SeedSpec spec)
    {
        if (spec.Files <= 0)
        {
            return;
        }

        var perFolder = Math.Max(1, spec.FilesPerFolder);
        var root = _items[RootId];
        ItemState? sub = null;
        for (var i = _seededFiles; i < _seededFiles + spec.Files; i++)
        {
            // Numbering continues across seedings, so seeding again adds files instead of clashing.
            var group = i / perFolder;
            if (sub is null || i % perFolder == 0)
            {
                var top = SeedFolder(root, $"t{group / 10:D4}", spec.At);
                sub = SeedFolder(top, $"s{group % 10}", spec.At);
            }

            var name = $"file{i:D6}.bin";
            if (FindChild(sub!.Id, name) is not null)
            {
                continue; // a user-made file of that name: skip (deterministically, so a replay does the same)
            }

            var key = GeneratedBlob.Mix(((ulong)(uint)spec.Seed << 32) | (uint)i);
            var size = (long)(GeneratedBlob.Mix(key) % (ulong)(Math.Max(0, spec.MaxFileSize) + 1));
            var seq = ++_seq;
            var file = new ItemState(
                NewId(), sub.Id, name, false, new GeneratedBlob(key, size), seq, seq, spec.At, spec.At, spec.At, spec.At, false);
            Commit(file, null, journal: false);
        }

        _seededFiles += spec.Files;
    }

    private ItemState SeedFolder(ItemState parent, string name, DateTimeOffset at)
    {
        // A user-made file may hold the name: then use "name 1", "name 2", ... (deterministic for replays).
        var candidate = name;
        for (var n = 1; FindChild(parent.Id, candidate) is { } existing; n++)
        {
            if (existing.IsFolder)
            {
                return existing;
            }

            candidate = $"{name} {n}";
        }

        var seq = ++_seq;
        var folder = new ItemState(NewId(), parent.Id, candidate, true, null, seq, seq, at, at, at, at, false);
        Commit(folder, null, journal: false);
        return folder;
    }
}

/// <summary>Parameters of a seeding, journaled so a restart regenerates the same items.</summary>
internal sealed record SeedSpec(int Files, int Seed, int FilesPerFolder, int MaxFileSize, DateTimeOffset At);

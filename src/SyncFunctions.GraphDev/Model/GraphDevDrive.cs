using SyncFunctions.Abstractions.Hashing;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev;

/// <summary>
/// The in-process drive behind the dev server: items by id, a children index by name, and a change
/// log ordered by change sequence that delta reads from. Tests use it to seed and mutate the drive
/// directly; every mutation bumps the sequence exactly like an edit through the API, so it shows up
/// in delta and triggers change notifications.
/// </summary>
/// <remarks>
/// Thread safety: every member is safe to call concurrently; one lock guards the model. Items are
/// immutable records, so what a reader got under the lock can be serialised after releasing it.
/// Names are unique per folder case-insensitively, as on OneDrive.
/// </remarks>
public sealed partial class GraphDevDrive : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ItemState> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, string>> _children = new(StringComparer.Ordinal);
    private readonly GraphDevOptions _options;
    private readonly TimeProvider _time;
    private readonly ContentStore _contentStore;
    private readonly DriveJournal? _journal;
    private readonly ulong _idSalt;
    private ulong _idCounter;

    internal GraphDevDrive(GraphDevOptions options, string driveId, ContentStore contentStore, DriveJournal? journal)
    {
        _options = options;
        _time = options.TimeProvider;
        _contentStore = contentStore;
        _journal = journal;
        DriveId = driveId;
        _idSalt = StableHash(driveId);
        RootId = MakeId(0);
    }

    /// <summary>Raised after every committed change, outside the lock (drives change notifications).</summary>
    internal event Action? Changed;

    /// <summary>The drive id (as in <c>/drives/{id}</c>).</summary>
    public string DriveId { get; }

    /// <summary>The root folder's item id.</summary>
    public string RootId { get; }

    /// <summary>Live items (files and folders, root included).</summary>
    public int ItemCount
    {
        get
        {
            lock (_gate)
            {
                return _items.Count - _tombstones.Count;
            }
        }
    }

    /// <summary>The change sequence of the latest change (what a deltaLink issued now would cover).</summary>
    public long CurrentSequence
    {
        get
        {
            lock (_gate)
            {
                return _seq;
            }
        }
    }

    internal TimeProvider Time => _time;

    internal ContentStore ContentStore => _contentStore;

    /// <summary>The item with <paramref name="itemId"/>, or null when it does not exist (or was deleted).</summary>
    public DriveItemInfo? Get(string itemId)
    {
        lock (_gate)
        {
            return _items.TryGetValue(itemId, out var item) && !item.Deleted ? ToInfo(item) : null;
        }
    }

    /// <summary>The item at <paramref name="path"/> below the root ("a/b.txt"; "" is the root), or null.</summary>
    public DriveItemInfo? GetByPath(string path)
    {
        lock (_gate)
        {
            return TryResolve(_items[RootId], path, out var item) ? ToInfo(item) : null;
        }
    }

    /// <summary>Live children of a folder, ordered by name (case-insensitive).</summary>
    public IReadOnlyList<DriveItemInfo> ListChildren(string folderId)
    {
        lock (_gate)
        {
            var folder = GetLive(folderId);
            return ChildIds(folder.Id).Select(id => ToInfo(_items[id])).ToList();
        }
    }

    /// <summary>Every live item with its path (for assertions; O(items)).</summary>
    public IReadOnlyList<DriveItemInfo> Snapshot()
    {
        lock (_gate)
        {
            return _items.Values.Where(i => !i.Deleted).Select(ToInfo).ToList();
        }
    }

    /// <summary>The current content of a file.</summary>
    public byte[] ReadContent(string itemId)
    {
        ContentBlob blob;
        lock (_gate)
        {
            var item = GetLive(itemId);
            blob = item.Content ?? throw GraphDevException.Invalid("The item is a folder.");
        }

        using var stream = blob.OpenRead();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _journal?.Dispose();

    internal ItemState GetLive(string itemId) =>
        _items.TryGetValue(itemId, out var item) && !item.Deleted ? item : throw GraphDevException.NotFound(itemId);

    /// <summary>Reads an item (and what its JSON needs) under the lock.</summary>
    internal ItemView ViewById(string itemId, bool withPath)
    {
        lock (_gate)
        {
            return View(GetLive(itemId), withPath);
        }
    }

    /// <summary>Resolves <c>{base}:/relative/path:</c> addressing; <paramref name="relativePath"/> may be empty.</summary>
    internal ItemView ViewByPath(string baseId, string relativePath)
    {
        lock (_gate)
        {
            var start = GetLive(baseId);
            return TryResolve(start, relativePath, out var item)
                ? View(item, withPath: true)
                : throw GraphDevException.NotFound(relativePath);
        }
    }

    /// <summary>The live child named <paramref name="name"/> (case-insensitive), or null.</summary>
    internal ItemState? FindChildState(string parentId, string name)
    {
        lock (_gate)
        {
            return FindChild(parentId, name);
        }
    }

    /// <summary>One page of a folder's children (ordered by name) and whether more follow.</summary>
    internal (List<ItemView> Page, bool More) ReadChildren(string folderId, int skip, int top)
    {
        lock (_gate)
        {
            var folder = GetLive(folderId);
            var ids = ChildIds(folder.Id);
            var page = ids.Skip(skip).Take(top).Select(id => View(_items[id], withPath: true)).ToList();
            return (page, skip + page.Count < ids.Count);
        }
    }

    private ItemView View(ItemState item, bool withPath)
    {
        var childCount = item.IsFolder && _children.TryGetValue(item.Id, out var kids) ? kids.Count : 0;
        string? parentPath = null;
        if (withPath && item.ParentId is { } parentId)
        {
            var parent = PathOf(_items[parentId]);
            parentPath = parent.Length == 0 ? $"/drives/{DriveId}/root:" : $"/drives/{DriveId}/root:/{parent}";
        }

        return new ItemView(item, childCount, parentPath);
    }

    private IReadOnlyCollection<string> ChildIds(string folderId) =>
        _children.TryGetValue(folderId, out var kids) ? kids.Values : [];

    private DriveItemInfo ToInfo(ItemState item) => new(
        item.Id,
        item.ParentId,
        item.Name,
        PathOf(item),
        item.IsFolder,
        item.Size,
        item.ETag,
        item.CTag,
        item.Content?.Hashes.QuickXorHash,
        item.Modified);

    private ItemState? FindChild(string parentId, string name) =>
        _children.TryGetValue(parentId, out var kids) && kids.TryGetValue(name, out var id) ? _items[id] : null;

    private bool TryResolve(ItemState start, string relativePath, out ItemState item)
    {
        item = start;
        foreach (var segment in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!item.IsFolder || FindChild(item.Id, segment) is not { } next)
            {
                return false;
            }

            item = next;
        }

        return true;
    }

    private string PathOf(ItemState item)
    {
        var names = new List<string>();
        for (var current = item; !current.IsRoot; current = _items[current.ParentId!])
        {
            names.Add(current.Name);
        }

        names.Reverse();
        return string.Join('/', names);
    }

    private bool IsAncestorOrSelf(string candidateAncestorId, string itemId)
    {
        for (string? id = itemId; id is not null; id = _items[id].ParentId)
        {
            if (id == candidateAncestorId)
            {
                return true;
            }
        }

        return false;
    }

    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private void RaiseChanged() => Changed?.Invoke();

    private string NewId() => MakeId(++_idCounter);

    /// <summary>Opaque, unique ids: "01" plus a base32 bijective mix of a counter (ids never repeat).</summary>
    private string MakeId(ulong counter)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var value = GeneratedBlob.Mix(counter ^ _idSalt);
        Span<char> chars = stackalloc char[15];
        chars[0] = '0';
        chars[1] = '1';
        for (var i = 14; i >= 2; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }

    private static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL; // FNV-1a: stable across processes, unlike string.GetHashCode
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}

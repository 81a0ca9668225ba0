using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SyncFunctions.Abstractions;
using SyncFunctions.Abstractions.Hashing;

namespace SyncFunctions.Tests.Fakes;

/// <summary>
/// A drive with item ids and a change log, for engine tests of change-feed sources: delta pages report each
/// changed item once per page set (folders renamed report only the folder, deletions carry no name), and
/// a cursor can be invalidated to force a resync. Thread-safe.
/// </summary>
public sealed class FakeDrive : IObjectStore, IChangeSource
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly List<(long Seq, string ItemId)> _log = [];
    private long _seq;
    private long _nextId;
    private long _oldestValidSeq;

    public FakeDrive(int pageSize = 3)
    {
        PageSize = pageSize;
        _nodes[RootId] = new Node(RootId, null, "root", true, [], DateTimeOffset.UnixEpoch, 0);
    }

    public const string RootId = "ROOT";

    public int PageSize { get; }

    public string DisplayName => "fakedrive";

    /// <summary>Delta page requests served (a no-op incremental run should need one).</summary>
    public int DeltaRequests { get; private set; }

    public int ContentReads { get; private set; }

    /// <summary>Content bytes handed out by reads (by id or by path).</summary>
    public long ContentBytesRead { get; private set; }

    /// <summary>Items whose reported QuickXorHash is wrong (a corrupted transfer must be caught).</summary>
    public HashSet<string> WrongHashes { get; } = new(StringComparer.Ordinal);

    /// <summary>Delete records as OneDrive for Business may send them: id, parent and the deleted facet, no folder facet.</summary>
    public bool BareDeleteRecords { get; set; }

    private sealed record Node(string Id, string? ParentId, string Name, bool IsFolder, byte[] Content, DateTimeOffset Modified, long CTagSeq, bool Deleted = false);

    public string CreateFolder(string parentId, string name) => Add(parentId, name, isFolder: true, []);

    public string CreateFile(string parentId, string name, byte[] content) => Add(parentId, name, isFolder: false, content);

    /// <summary>Creates the folders of <paramref name="path"/> as needed and a file at its end.</summary>
    public string PutFile(string path, byte[] content)
    {
        var parts = path.Split('/');
        var parent = RootId;
        foreach (var folder in parts[..^1])
        {
            parent = ChildId(parent, folder) ?? CreateFolder(parent, folder);
        }

        var existing = ChildId(parent, parts[^1]);
        if (existing is not null)
        {
            Update(existing, content);
            return existing;
        }

        return CreateFile(parent, parts[^1], content);
    }

    public void Update(string id, byte[] content) => Change(id, n => n with { Content = content, CTagSeq = _seq + 1 });

    public void Rename(string id, string name) => Change(id, n => n with { Name = name });

    public void Move(string id, string newParentId) => Change(id, n => n with { ParentId = newParentId });

    public void Delete(string id) => Change(id, n => n with { Deleted = true });

    /// <summary>Makes every cursor issued so far invalid (the service answers 410 to them).</summary>
    public void InvalidateCursors()
    {
        lock (_gate)
        {
            _oldestValidSeq = _seq + 1;
        }
    }

    public string? IdOf(string path)
    {
        var id = RootId;
        foreach (var part in path.Split('/'))
        {
            id = ChildId(id, part);
            if (id is null)
            {
                return null;
            }
        }

        return id;
    }

    public Task<string> GetRootItemIdAsync(CancellationToken cancellationToken) => Task.FromResult(RootId);

    public Task<ChangePage> ReadChangesAsync(string? link, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            DeltaRequests++;

            // Links: "from:<seq>:<skip>"; the delta link is "from:<seq>:0" for the next changes.
            var (from, skip) = (0L, 0);
            if (link is not null)
            {
                var parts = link.Split(':');
                (from, skip) = (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
                if (from < _oldestValidSeq && from > 0)
                {
                    throw new StorageException(StorageErrorKind.ResyncRequired, "resyncRequired: the cursor expired", status: 410);
                }
            }

            var ids = from == 0
                ? _nodes.Values.Where(n => !n.Deleted).Select(n => n.Id).ToList()
                : _log.Where(e => e.Seq >= from).Select(e => e.ItemId).Distinct().ToList();

            // Children before parents, as delta may report them.
            ids.Reverse();
            var page = ids.Skip(skip).Take(PageSize).Select(id => ToItem(_nodes[id])).ToList();
            var more = skip + PageSize < ids.Count;
            return Task.FromResult(new ChangePage(
                page,
                more ? $"from:{from}:{skip + PageSize}" : null,
                more ? null : $"from:{_seq + 1}:0"));
        }
    }

    public Task<Stream> OpenReadByIdAsync(string itemId, long offset, long? length, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ContentReads++;
            if (!_nodes.TryGetValue(itemId, out var n) || n.Deleted || n.IsFolder)
            {
                throw new StorageException(StorageErrorKind.NotFound, $"item {itemId} not found", status: 404);
            }

            var len = (int)Math.Min(length ?? long.MaxValue, n.Content.Length - offset);
            ContentBytesRead += Math.Max(0, len);
            return Task.FromResult<Stream>(new MemoryStream(n.Content, (int)offset, Math.Max(0, len), writable: false));
        }
    }

    public async IAsyncEnumerable<ListingEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        List<ObjectInfo> files;
        lock (_gate)
        {
            files = _nodes.Values.Where(n => !n.IsFolder && !n.Deleted).Select(InfoOf).Where(i => i is not null).Select(i => i!).ToList();
        }

        foreach (var f in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            yield return ListingEntry.Of(f);
        }
    }

    public Task<ObjectInfo?> GetInfoAsync(string path, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var id = IdOf(path);
            return Task.FromResult(id is null ? null : InfoOf(_nodes[id]));
        }
    }

    public Task<Stream> OpenReadAsync(string path, long offset, long? length, CancellationToken cancellationToken) =>
        OpenReadByIdAsync(IdOf(path) ?? throw new StorageException(StorageErrorKind.NotFound, $"'{path}' not found", status: 404), offset, length, cancellationToken);

    public Task<WriteResult> WriteAsync(string path, Stream content, WriteOptions options, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the fake drive is a source only");

    public Task DeleteAsync(string path, WriteOptions options, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the fake drive is a source only");

    private ChangeItem ToItem(Node n) => new()
    {
        ItemId = n.Id,
        ParentId = n.ParentId,
        Name = n.Deleted ? null : n.Name,
        IsFolder = n.IsFolder && !(n.Deleted && BareDeleteRecords),
        IsRoot = n.Id == RootId,
        IsDeleted = n.Deleted,
        Size = n.Content.Length,
        LastModified = n.Modified,
        ETag = $"\"e{n.Id}.{_seq}\"",
        CTag = n.IsFolder ? null : $"\"c{n.Id}.{n.CTagSeq}\"",
        Sha256 = n.IsFolder || n.Deleted ? null : Convert.ToHexStringLower(SHA256.HashData(n.Content)),
        QuickXorHash = n.IsFolder || n.Deleted ? null : WrongHashes.Contains(n.Id) ? QuickXorHash.HashToBase64([1, 2, 3]) : QuickXorHash.HashToBase64(n.Content),
    };

    private ObjectInfo? InfoOf(Node n)
    {
        var path = PathOf(n.Id);
        return path is null ? null : new ObjectInfo(path, n.Content.Length, n.Modified, $"\"c{n.Id}.{n.CTagSeq}\"", Convert.ToHexStringLower(SHA256.HashData(n.Content)), ItemId: n.Id, ParentId: n.ParentId);
    }

    private string? PathOf(string id)
    {
        var parts = new List<string>();
        for (var n = _nodes[id]; n.Id != RootId; n = _nodes[n.ParentId!])
        {
            if (n.Deleted)
            {
                return null;
            }

            parts.Add(n.Name);
        }

        parts.Reverse();
        return string.Join('/', parts);
    }

    private string? ChildId(string parentId, string name)
    {
        lock (_gate)
        {
            return _nodes.Values.FirstOrDefault(n => n.ParentId == parentId && n.Name == name && !n.Deleted)?.Id;
        }
    }

    private string Add(string parentId, string name, bool isFolder, byte[] content)
    {
        lock (_gate)
        {
            var id = $"I{++_nextId:D4}";
            _seq++;
            _nodes[id] = new Node(id, parentId, name, isFolder, content, DateTimeOffset.UnixEpoch.AddSeconds(_seq), _seq);
            _log.Add((_seq, id));
            return id;
        }
    }

    private void Change(string id, Func<Node, Node> change)
    {
        lock (_gate)
        {
            var changed = change(_nodes[id]);
            _seq++;
            _nodes[id] = changed with { Modified = DateTimeOffset.UnixEpoch.AddSeconds(_seq) };
            _log.Add((_seq, id));
        }
    }
}

using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev;

/// <summary>
/// The change log behind delta. Every change gives the item a new sequence number and appends
/// (seq, id) to <see cref="_log"/>; the entry an item had before becomes dead. Delta from a position
/// is a binary search plus a forward scan over live entries, so an incremental delta costs
/// O(changes since the token + log(n)), never a scan of the drive, and it returns each item's latest
/// state once (net changes), as Graph does.
/// </summary>
public sealed partial class GraphDevDrive
{
    private readonly List<ChangeEntry> _log = [];
    private readonly Queue<Tombstone> _tombstones = new();
    private int _deadEntries;
    private long _seq;
    private long _purgedThrough;
    private int _epoch;

    /// <summary>
    /// Makes every delta token issued so far answer 410 Gone (resyncRequired), as the service does
    /// when it loses a token's state.
    /// </summary>
    public void InvalidateDeltaTokens()
    {
        lock (_gate)
        {
            _epoch++;
            _journal?.AppendEpoch(_epoch);
        }
    }

    /// <summary>A cursor for "now" (<c>token=latest</c>): nothing before it will be reported.</summary>
    internal DeltaCursor Latest()
    {
        lock (_gate)
        {
            return new DeltaCursor(_epoch, _seq, _seq, _time.GetUtcNow().ToUnixTimeSeconds());
        }
    }

    /// <summary>A cursor that enumerates the whole drive (no token).</summary>
    internal DeltaCursor StartFullEnumeration()
    {
        lock (_gate)
        {
            return new DeltaCursor(_epoch, _seq, 0, _time.GetUtcNow().ToUnixTimeSeconds());
        }
    }

    /// <summary>
    /// One delta page: up to <paramref name="top"/> changed items after <paramref name="cursor"/>, each
    /// followed (when asked) by its ancestors up to the root, as OneDrive for Business does. Throws
    /// 410 resyncRequired for a token of an older epoch, past the retention, or otherwise unusable.
    /// </summary>
    internal DeltaPage ReadDelta(DeltaCursor cursor, int top, bool includeAncestors)
    {
        lock (_gate)
        {
            PurgeTombstones();
            var now = _time.GetUtcNow();
            var expired = now - DateTimeOffset.FromUnixTimeSeconds(cursor.IssuedAt) > _options.DeltaTokenLifetime;
            if (cursor.Epoch != _epoch || cursor.RoundStart < _purgedThrough || cursor.Position > _seq || expired)
            {
                throw new GraphDevException(
                    410, "resyncRequired", "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.", "resyncChangesApplyDifferences");
            }

            var page = new List<ItemView>();
            var onPage = new HashSet<string>(StringComparer.Ordinal);
            var last = cursor.Position;
            var primaries = 0;
            var index = LowerBound(cursor.Position + 1);
            for (; index < _log.Count; index++)
            {
                var entry = _log[index];
                if (!_items.TryGetValue(entry.Id, out var item) || item.Seq != entry.Seq)
                {
                    continue;
                }

                // Items deleted before a full enumeration started were never seen by the client.
                if (item.Deleted && entry.Seq <= cursor.RoundStart)
                {
                    last = entry.Seq;
                    continue;
                }

                if (primaries == top)
                {
                    break;
                }

                primaries++;
                last = entry.Seq;
                page.Add(View(item, withPath: false));
                onPage.Add(item.Id);
                if (includeAncestors)
                {
                    AddAncestors(item, page, onPage);
                }
            }

            var issued = now.ToUnixTimeSeconds();
            return index < _log.Count
                ? new DeltaPage(page, cursor with { Position = last, IssuedAt = issued }, IsLast: false)
                : new DeltaPage(page, new DeltaCursor(_epoch, _seq, _seq, issued), IsLast: true);
        }
    }

    private void AddAncestors(ItemState item, List<ItemView> page, HashSet<string> onPage)
    {
        for (var parentId = item.ParentId; parentId is not null;)
        {
            if (!_items.TryGetValue(parentId, out var parent) || parent.Deleted)
            {
                return;
            }

            if (onPage.Add(parent.Id))
            {
                page.Add(View(parent, withPath: false));
            }

            parentId = parent.ParentId;
        }
    }

    private void AppendToLog(ItemState next, ItemState? previous)
    {
        _log.Add(new ChangeEntry(next.Seq, next.Id));
        if (previous is not null)
        {
            _deadEntries++;
        }

        if (_deadEntries > 1024 && _deadEntries > _log.Count / 2)
        {
            _log.RemoveAll(e => !_items.TryGetValue(e.Id, out var item) || item.Seq != e.Seq);
            _deadEntries = 0;
        }
    }

    /// <summary>Forgets tombstones older than the token lifetime; tokens from before them get 410.</summary>
    private void PurgeTombstones()
    {
        var cutoff = _time.GetUtcNow() - _options.DeltaTokenLifetime;
        while (_tombstones.TryPeek(out var oldest) && oldest.DeletedAt < cutoff)
        {
            _tombstones.Dequeue();
            if (_items.TryGetValue(oldest.Id, out var item) && item.Deleted && item.Seq == oldest.Seq)
            {
                _items.Remove(oldest.Id);
                _deadEntries++;
            }

            _purgedThrough = Math.Max(_purgedThrough, oldest.Seq);
        }
    }

    private int LowerBound(long seq)
    {
        int lo = 0, hi = _log.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_log[mid].Seq < seq)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>One change-log entry: the item's sequence at the time; dead once the item changes again.</summary>
internal readonly record struct ChangeEntry(long Seq, string Id);

/// <summary>A deleted item kept for delta; purged after the token lifetime.</summary>
internal readonly record struct Tombstone(long Seq, string Id, DateTimeOffset DeletedAt);

/// <summary>
/// Where a delta round stands: <paramref name="RoundStart"/> is the sequence the round began from
/// (a full enumeration begins "now" and skips older tombstones), <paramref name="Position"/> the last
/// sequence already reported.
/// </summary>
internal readonly record struct DeltaCursor(int Epoch, long RoundStart, long Position, long IssuedAt);

/// <summary>A delta page and the cursor of its nextLink (or, when last, its deltaLink).</summary>
internal sealed record DeltaPage(List<ItemView> Items, DeltaCursor Next, bool IsLast);

using Azure.Data.Tables;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Azure;

/// <summary>Row formats of change-feed staging (a SyncStg table per run) and the item-id tree (SyncTree).</summary>
internal static partial class LedgerRows
{
    /// <summary>
    /// Row key of an item id: the order-preserving encoding, so any service id (Graph ids hold '!', others
    /// may hold '/' or '#') is a valid key and a partition lists in ordinal item-id order.
    /// </summary>
    /// <exception cref="ArgumentException">The id is empty or too long for a row key.</exception>
    public static string ItemKey(string itemId)
    {
        if (string.IsNullOrEmpty(itemId))
        {
            throw new ArgumentException("An item id is empty.", nameof(itemId));
        }

        var encoded = TableKeyCodec.Encode(itemId);
        return TableKeyCodec.Fits(encoded)
            ? encoded
            : throw new ArgumentException($"The item id '{itemId[..Math.Min(40, itemId.Length)]}...' is too long for a table key.", nameof(itemId));
    }

    public static TableEntity ToRow(string runId, ChangeItem item)
    {
        var row = RowFields.NewRow(runId, ItemKey(item.ItemId));
        row["ItemId"] = item.ItemId;
        row.Put("ParentId", item.ParentId);
        row.Put("Name", item.Name);
        row["IsFolder"] = item.IsFolder;
        row["IsRoot"] = item.IsRoot;
        row["IsDeleted"] = item.IsDeleted;
        row["Size"] = item.Size;
        row.Put("LastModified", item.LastModified);

        // "ETag" would read like the row's own concurrency tag; these are the item's tags at the service.
        row.Put("ItemETag", item.ETag);
        row.Put("ItemCTag", item.CTag);
        row.Put("QuickXorHash", item.QuickXorHash);
        row.Put("Sha256", item.Sha256);
        row.Put("Sha1", item.Sha1);
        return row;
    }

    public static ChangeItem ToChangeItem(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new ChangeItem
        {
            ItemId = row.RequiredString("ItemId", table),
            ParentId = row.GetString("ParentId"),
            Name = row.GetString("Name"),
            IsFolder = row.Bool("IsFolder"),
            IsRoot = row.Bool("IsRoot"),
            IsDeleted = row.Bool("IsDeleted"),
            Size = row.Long("Size"),
            LastModified = row.Time("LastModified"),
            ETag = row.GetString("ItemETag"),
            CTag = row.GetString("ItemCTag"),
            QuickXorHash = row.GetString("QuickXorHash"),
            Sha256 = row.GetString("Sha256"),
            Sha1 = row.GetString("Sha1"),
        };
    }

    public static TableEntity ToRow(TreeEntry entry)
    {
        var row = RowFields.NewRow(entry.PairId, ItemKey(entry.ItemId));
        row["ItemId"] = entry.ItemId;
        row.Put("ParentId", entry.ParentId);
        row["Name"] = entry.Name;
        row["IsFolder"] = entry.IsFolder;
        return row;
    }

    public static TreeEntry ToTreeEntry(TableEntity row, string table)
    {
        row.RequireKnownSchema(table);
        return new TreeEntry
        {
            PairId = row.PartitionKey,
            ItemId = row.RequiredString("ItemId", table),
            ParentId = row.GetString("ParentId"),
            Name = row.RequiredString("Name", table),
            IsFolder = row.Bool("IsFolder"),
        };
    }
}

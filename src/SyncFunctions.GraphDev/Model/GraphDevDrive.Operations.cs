using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev;

/// <summary>The mutations the API performs (create, upload, rename/move, delete, copy).</summary>
public sealed partial class GraphDevDrive
{
    internal (ItemState Item, bool Created) CreateFolder(string parentId, string name, ConflictBehavior conflict)
    {
        ValidateName(name);
        (ItemState, bool) result;
        lock (_gate)
        {
            result = CreateFolderLocked(RequireFolder(parentId), name, conflict);
        }

        RaiseChanged();
        return result;
    }

    /// <summary>Creates or replaces the file at <c>{base}:/relativePath</c>, creating missing folders.</summary>
    internal (ItemState Item, bool Created) PutFileAtPath(
        string baseId, string relativePath, ContentBlob blob, PutRequest request)
    {
        (ItemState, bool) result;
        lock (_gate)
        {
            var (parent, name) = ResolveForCreate(baseId, relativePath, createFolders: true);
            result = PutFileLocked(parent!, name, blob, request);
        }

        RaiseChanged();
        return result;
    }

    /// <summary>Checks (without changing anything) that a later <see cref="PutFileAtPath"/> could succeed.</summary>
    internal ItemState? CheckPutTarget(string baseId, string relativePath, PutRequest request)
    {
        lock (_gate)
        {
            var (parent, name) = ResolveForCreate(baseId, relativePath, createFolders: false);
            ValidateName(name);
            var existing = parent is null ? null : FindChild(parent.Id, name);
            CheckPreconditions(existing, request.IfMatch, request.IfNoneMatch);
            if (existing is not null && (request.Conflict == ConflictBehavior.Fail || existing.IsFolder))
            {
                throw GraphDevException.NameExists(name);
            }

            return existing;
        }
    }

    internal ItemState ReplaceContent(string itemId, ContentBlob blob, PutRequest request)
    {
        ItemState next;
        lock (_gate)
        {
            var current = GetLive(itemId);
            if (current.IsFolder)
            {
                throw GraphDevException.Invalid("Content can only be written to a file.");
            }

            CheckPreconditions(current, request.IfMatch, request.IfNoneMatch);
            next = ReplaceContentLocked(current, blob, request.Times);
        }

        RaiseChanged();
        return next;
    }

    internal ItemState Update(string itemId, ItemUpdate update)
    {
        ItemState next;
        lock (_gate)
        {
            next = UpdateLocked(GetLive(itemId), update);
        }

        RaiseChanged();
        return next;
    }

    internal void Delete(string itemId, string? ifMatch)
    {
        lock (_gate)
        {
            var item = GetLive(itemId);
            if (item.IsRoot)
            {
                throw new GraphDevException(403, "accessDenied", "The root folder cannot be deleted.");
            }

            CheckPreconditions(item, ifMatch, null);
            DeleteLocked(item);
        }

        RaiseChanged();
    }

    /// <summary>Copies an item (a folder with its whole subtree); the copy shares the immutable content.</summary>
    internal ItemState Copy(string itemId, string targetParentId, string? newName, ConflictBehavior conflict)
    {
        ItemState copy;
        lock (_gate)
        {
            var source = GetLive(itemId);
            var target = RequireFolder(targetParentId);
            if (source.IsRoot || IsAncestorOrSelf(source.Id, target.Id))
            {
                throw GraphDevException.Invalid("An item cannot be copied into itself.");
            }

            var name = newName ?? source.Name;
            ValidateName(name);
            name = ResolveConflict(target.Id, name, conflict, replaceAllowed: true);
            copy = CopyLocked(source, target.Id, name, Now());
        }

        RaiseChanged();
        return copy;
    }

    private (ItemState, bool) CreateFolderLocked(ItemState parent, string name, ConflictBehavior conflict)
    {
        ValidatePathLength(parent.Id, name);
        name = ResolveConflict(parent.Id, name, conflict, replaceAllowed: true);
        var folder = NewFolder(parent.Id, name, Now());
        Commit(folder, null);
        return (folder, true);
    }

    private (ItemState, bool) PutFileLocked(ItemState parent, string name, ContentBlob blob, PutRequest request)
    {
        ValidateName(name);
        var existing = FindChild(parent.Id, name);
        CheckPreconditions(existing, request.IfMatch, request.IfNoneMatch);
        if (existing is not null && request.Conflict != ConflictBehavior.Rename)
        {
            if (existing.IsFolder || request.Conflict == ConflictBehavior.Fail)
            {
                throw GraphDevException.NameExists(name);
            }

            return (ReplaceContentLocked(existing, blob, request.Times), false);
        }

        if (existing is not null)
        {
            name = FreeName(parent.Id, name);
        }

        ValidatePathLength(parent.Id, name);
        var file = NewFile(parent.Id, name, blob, request.Times, Now());
        Commit(file, null);
        return (file, true);
    }

    private ItemState ReplaceContentLocked(ItemState current, ContentBlob blob, FileTimes? times)
    {
        var now = Now();
        var seq = ++_seq;
        var next = current with
        {
            Content = blob,
            Seq = seq,
            ContentSeq = seq,
            Modified = now,
            FsModified = times?.Modified ?? now,
            FsCreated = times?.Created ?? current.FsCreated,
        };
        Commit(next, current);
        return next;
    }

    private ItemState UpdateLocked(ItemState current, ItemUpdate update)
    {
        if (current.IsRoot && (update.Name is not null || update.ParentId is not null))
        {
            throw new GraphDevException(403, "accessDenied", "The root folder cannot be renamed or moved.");
        }

        CheckPreconditions(current, update.IfMatch, null);
        var parentId = update.ParentId ?? current.ParentId;
        var name = update.Name ?? current.Name;
        var relocating = parentId != current.ParentId || !string.Equals(name, current.Name, StringComparison.Ordinal);
        if (relocating)
        {
            ValidateName(name);
            var parent = RequireFolder(parentId!);
            if (current.IsFolder && IsAncestorOrSelf(current.Id, parent.Id))
            {
                throw GraphDevException.Invalid("A folder cannot be moved into itself.");
            }

            // A case-only rename in the same folder is not a clash with itself.
            var clash = FindChild(parent.Id, name);
            if (clash is not null && clash.Id != current.Id)
            {
                name = ResolveConflict(parent.Id, name, update.Conflict, replaceAllowed: true);
            }

            ValidatePathLength(parent.Id, name);
        }

        var now = Now();
        var next = current with
        {
            ParentId = parentId,
            Name = name,
            Seq = ++_seq,
            Modified = now,
            FsCreated = update.Times?.Created ?? current.FsCreated,
            FsModified = update.Times?.Modified ?? current.FsModified,
        };
        Commit(next, current);
        return next;
    }

    /// <summary>Deletes children first, so the folder's tombstone is the last record of the subtree.</summary>
    private void DeleteLocked(ItemState item)
    {
        if (item.IsFolder)
        {
            foreach (var childId in ChildIds(item.Id).ToList())
            {
                DeleteLocked(_items[childId]);
            }
        }

        var tombstone = item with { Content = null, Seq = ++_seq, Modified = Now(), Deleted = true };
        Commit(tombstone, item);
        _tombstones.Enqueue(new Tombstone(tombstone.Seq, tombstone.Id, tombstone.Modified));
    }

    private ItemState CopyLocked(ItemState source, string parentId, string name, DateTimeOffset now)
    {
        var seq = ++_seq;
        var copy = new ItemState(
            NewId(), parentId, name, source.IsFolder, source.Content, seq, seq, now, now, source.FsCreated, source.FsModified, false);
        Commit(copy, null);
        if (source.IsFolder)
        {
            foreach (var childId in ChildIds(source.Id).ToList())
            {
                var child = _items[childId];
                CopyLocked(child, copy.Id, child.Name, now);
            }
        }

        return copy;
    }

    /// <summary>Applies the conflict behaviour when <paramref name="name"/> is taken; returns the name to use.</summary>
    private string ResolveConflict(string parentId, string name, ConflictBehavior conflict, bool replaceAllowed)
    {
        var existing = FindChild(parentId, name);
        if (existing is null)
        {
            return name;
        }

        switch (conflict)
        {
            case ConflictBehavior.Rename:
                return FreeName(parentId, name);
            case ConflictBehavior.Replace when replaceAllowed:
                DeleteLocked(existing);
                return name;
            default:
                throw GraphDevException.NameExists(name);
        }
    }
}

/// <summary>Conditions and options of a content write.</summary>
internal sealed record PutRequest(ConflictBehavior Conflict, string? IfMatch, string? IfNoneMatch, FileTimes? Times);

/// <summary>A PATCH: new name and/or parent, fileSystemInfo times, If-Match, conflict behaviour.</summary>
internal sealed record ItemUpdate(string? Name, string? ParentId, FileTimes? Times, string? IfMatch, ConflictBehavior Conflict);

using System.Runtime.CompilerServices;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Core.Stores;

/// <summary>The streamed listing in global ordinal order.</summary>
public sealed partial class LocalFolderStore
{
    private static readonly EnumerationOptions DirectoryEnumeration = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Streams every file in ordinal order of its full relative path. Each directory's entries are
    /// sorted by name, with "/" appended to directory names, and visited depth-first in that order:
    /// this is the global ordinal order ("a-b" before "a/x" before "a0"). Only one directory's entries
    /// per level are held in memory.
    /// </summary>
    /// <remarks>
    /// Skipped (with the reason): names with a backslash or control characters, unreadable files and
    /// directories, symbolic links to directories (not followed) or to files outside the folder, and
    /// named pipes, sockets and device files (also behind a symbolic link), which are never opened.
    /// A skipped directory's path ends with '/', so nothing under it is planned for deletion.
    /// This store's partial and temporary files are never listed.
    /// </remarks>
    public async IAsyncEnumerable<ListingEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_root))
        {
            throw new StorageException(StorageErrorKind.NotFound, $"source folder {_root} does not exist");
        }

        var root = await Task.Run(() => ReadDirectory(_root, ""), cancellationToken);
        if (root.Error is not null)
        {
            throw new StorageException(StorageErrorKind.Permanent, $"folder {_root} cannot be read: {root.Error}");
        }

        var stack = new Stack<(IReadOnlyList<LocalEntry> Entries, int Next)>();
        stack.Push((root.Entries, 0));
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (entries, next) = stack.Pop();
            if (next >= entries.Count)
            {
                continue;
            }

            stack.Push((entries, next + 1));
            var entry = entries[next];
            if (entry.Directory is null)
            {
                yield return entry.Listing;
                continue;
            }

            var children = await Task.Run(() => ReadDirectory(entry.Directory, entry.RelativePath), cancellationToken);
            if (children.Error is not null)
            {
                yield return ListingEntry.Skip(entry.RelativePath + "/", children.Error);
            }
            else
            {
                stack.Push((children.Entries, 0));
            }
        }
    }

    private (IReadOnlyList<LocalEntry> Entries, string? Error) ReadDirectory(string fullDirectory, string relativeDirectory)
    {
        var entries = new List<LocalEntry>();
        try
        {
            foreach (var info in new DirectoryInfo(fullDirectory).EnumerateFileSystemInfos("*", DirectoryEnumeration))
            {
                if (LocalPaths.IsStoreFile(info.Name))
                {
                    continue;
                }

                var relative = relativeDirectory.Length == 0 ? info.Name : relativeDirectory + "/" + info.Name;
                entries.Add(TryClassify(info, relative));
            }
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            return ([], e is UnauthorizedAccessException ? "directory cannot be read (permission denied)" : "directory cannot be read: " + e.Message);
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        return (entries, null);
    }

    // A file can vanish or change between the directory read and its stat: skip it with the reason.
    private LocalEntry TryClassify(FileSystemInfo info, string relative)
    {
        try
        {
            return Classify(info, relative);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            return LocalEntry.Skip(info.Name, relative, "cannot be read: " + e.Message);
        }
    }

    private LocalEntry Classify(FileSystemInfo info, string relative)
    {
        var isDirectory = info is DirectoryInfo;
        var sortKey = isDirectory ? info.Name + "/" : info.Name;
        var problem = RelativePath.Validate(relative);
        if (problem is null && info.Name.Contains('\uFFFD', StringComparison.Ordinal) && !Path.Exists(info.FullName))
        {
            problem = "the name is not valid UTF-8";
        }

        if (problem is not null)
        {
            return LocalEntry.Skip(sortKey, isDirectory ? relative + "/" : relative, problem);
        }

        // The attribute comes with the enumeration; reading the link target would cost a system call per entry.
        if ((info.Attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is not null)
        {
            return ClassifyLink(info, relative);
        }

        if (isDirectory)
        {
            return new LocalEntry(sortKey, relative, info.FullName, default);
        }

        // One statx per file: the enumeration's FileInfo shows a named pipe as a regular file, and the
        // readability probe below would block on opening one.
        if (SpecialFileReason(info.FullName, followLinks: false) is { } special)
        {
            return LocalEntry.Skip(sortKey, relative, special);
        }

        var file = (FileInfo)info;
        return IsReadable(file)
            ? LocalEntry.File(sortKey, Describe(relative, file))
            : LocalEntry.Skip(sortKey, relative, "file cannot be read (permission denied)");
    }

    private LocalEntry ClassifyLink(FileSystemInfo link, string relative)
    {
        FileSystemInfo? target;
        try
        {
            target = link.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (Exception e) when (LocalPaths.IsFileSystemError(e))
        {
            target = null;
        }

        if (target is null || !target.Exists)
        {
            return LocalEntry.Skip(link.Name, relative, "broken symbolic link");
        }

        if (target is DirectoryInfo || Directory.Exists(target.FullName))
        {
            return LocalEntry.Skip(link.Name + "/", relative + "/", "symbolic link to a directory (not followed)");
        }

        if (!LocalPaths.IsUnder(RealRoot, LocalPaths.RealPath(target.FullName)))
        {
            return LocalEntry.Skip(link.Name, relative, "symbolic link to a file outside the folder");
        }

        if (SpecialFileReason(target.FullName, followLinks: true) is { } special)
        {
            return LocalEntry.Skip(link.Name, relative, "symbolic link to " + special);
        }

        var file = new FileInfo(target.FullName);
        return IsReadable(file)
            ? LocalEntry.File(link.Name, Describe(relative, file))
            : LocalEntry.Skip(link.Name, relative, "file cannot be read (permission denied)");
    }

    /// <summary>Why a path is skipped when it is a named pipe, a socket or a device file; null for anything else.</summary>
    private static string? SpecialFileReason(string fullPath, bool followLinks) =>
        LocalFileKinds.SpecialName(LocalFileKinds.Of(fullPath, followLinks)) is { } name ? name + ", not a file" : null;

    // Opening every file would cost a system call each; a file anyone may read is readable, and only
    // the rest is probed by opening it.
    private static bool IsReadable(FileInfo file)
    {
        if (OperatingSystem.IsWindows() || (file.UnixFileMode & UnixFileMode.OtherRead) != 0)
        {
            return true;
        }

        try
        {
            using var handle = File.OpenHandle(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>One sorted directory entry: a file, a skipped path, or a directory to descend into.</summary>
    private readonly record struct LocalEntry(string SortKey, string RelativePath, string? Directory, ListingEntry Listing)
    {
        public static LocalEntry File(string sortKey, ObjectInfo info) => new(sortKey, info.Path, null, ListingEntry.Of(info));

        public static LocalEntry Skip(string sortKey, string path, string reason) => new(sortKey, path, null, ListingEntry.Skip(path, reason));
    }
}

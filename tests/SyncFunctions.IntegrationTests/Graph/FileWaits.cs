namespace SyncFunctions.IntegrationTests.Graph;

/// <summary>Waits on file-system events (inotify), not by sleeping, for a file to reach a length.</summary>
internal static class FileWaits
{
    /// <summary>Completes once <paramref name="path"/> holds at least <paramref name="length"/> bytes; throws after <paramref name="timeout"/>.</summary>
    public static async Task WaitForLengthAsync(string path, long length, TimeSpan timeout)
    {
        var directory = Path.GetDirectoryName(path)!;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            try
            {
                if (new FileInfo(path).Exists && new FileInfo(path).Length >= length)
                {
                    reached.TrySetResult();
                }
            }
            catch (IOException)
            {
                // Replaced while we looked: the next event checks again.
            }
        }

        // The folder may not exist yet: watch the nearest existing ancestor, including subfolders.
        var watched = directory;
        while (!Directory.Exists(watched))
        {
            watched = Path.GetDirectoryName(watched)!;
        }

        using var watcher = new FileSystemWatcher(watched)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.LastWrite,
        };
        watcher.Changed += (_, _) => Check();
        watcher.Created += (_, _) => Check();
        watcher.Renamed += (_, _) => Check();
        watcher.EnableRaisingEvents = true;
        Check();
        try
        {
            await reached.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            var actual = File.Exists(path) ? new FileInfo(path).Length : -1;
            throw new TimeoutException($"'{path}' did not reach {length} bytes within {timeout} (it holds {actual}).");
        }
    }
}

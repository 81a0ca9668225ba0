namespace SyncFunctions.Cli.Hosting;

/// <summary>Finds the repository (for tools/azurite) and the user's state folder.</summary>
internal static class RepoLocator
{
    private const string SolutionFile = "SyncFunctions.sln";

    /// <summary>
    /// The repository root: $SYNCFN_REPO (set by the ./syncfn script), else the first folder above the
    /// program's own folder that holds SyncFunctions.sln; null when neither is found.
    /// </summary>
    public static string? FindRepository()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SYNCFN_REPO");
        if (!string.IsNullOrWhiteSpace(fromEnv) && Directory.Exists(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>tools/azurite of the repository (package.json + package-lock.json), or null.</summary>
    public static string? FindAzuriteTools() =>
        FindRepository() is { } repo && Directory.Exists(Path.Combine(repo, "tools", "azurite"))
            ? Path.Combine(repo, "tools", "azurite")
            : null;

    /// <summary>$SYNCFN_HOME, else $XDG_STATE_HOME/syncfn, else ~/.local/state/syncfn.</summary>
    public static string StateDirectory()
    {
        var home = Environment.GetEnvironmentVariable("SYNCFN_HOME");
        if (!string.IsNullOrWhiteSpace(home))
        {
            return Path.GetFullPath(home);
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "syncfn");
        }

        var userHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(userHome, ".local", "state", "syncfn");
    }
}

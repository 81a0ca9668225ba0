using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>How a drive is named in an endpoint.</summary>
public enum GraphDriveKind
{
    /// <summary>A drive id (<c>b!…</c> on OneDrive for Business / SharePoint).</summary>
    DriveId,

    /// <summary>The signed-in user's default drive (<c>/me/drive</c>; needs delegated auth).</summary>
    Me,

    /// <summary>A user's default drive (<c>/users/{upn-or-id}/drive</c>).</summary>
    User,

    /// <summary>A SharePoint site's default document library (<c>/sites/{site-id}/drive</c>).</summary>
    Site,
}

/// <summary>Names a drive: its kind and the id/UPN/site id (empty for <see cref="GraphDriveKind.Me"/>).</summary>
public sealed record GraphDriveSelector(GraphDriveKind Kind, string Value)
{
    /// <summary>The canonical text: the drive id, "me", "users/{x}" or "sites/{x}".</summary>
    public override string ToString() => Kind switch
    {
        GraphDriveKind.Me => "me",
        GraphDriveKind.User => $"users/{Value}",
        GraphDriveKind.Site => $"sites/{Value}",
        _ => Value,
    };
}

/// <summary>
/// A parsed <c>graph:</c> endpoint: which drive, and the folder (original names, '/'-separated, "" for the
/// drive root) the store is rooted at.
/// </summary>
public sealed record GraphEndpoint(GraphDriveSelector Drive, string FolderPath)
{
    /// <summary>The URI scheme prefix of Graph endpoints.</summary>
    public const string Scheme = "graph:";

    /// <summary>
    /// Parses <c>graph:DRIVE_ID[/PATH]</c>, <c>graph:me[/PATH]</c>, <c>graph:users/UPN[/PATH]</c> or
    /// <c>graph:sites/SITE_ID[/PATH]</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not such an endpoint; the message says why.</exception>
    public static GraphEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"'{text}' is not a Graph endpoint: it must start with '{Scheme}'.");
        }

        var rest = text[Scheme.Length..].TrimStart('/');
        if (rest.Length == 0)
        {
            throw new FormatException($"'{text}' names no drive: use graph:DRIVE_ID[/PATH], graph:me, graph:users/UPN or graph:sites/SITE_ID.");
        }

        var (first, after) = Split(rest);
        GraphDriveSelector drive;
        string path;
        if (first is "me")
        {
            (drive, path) = (new GraphDriveSelector(GraphDriveKind.Me, ""), after);
        }
        else if (first is "users" or "sites")
        {
            var (id, folder) = Split(after);
            if (id.Length == 0)
            {
                throw new FormatException($"'{text}' names no {(first == "users" ? "user (UPN or id)" : "site id")} after '{first}/'.");
            }

            (drive, path) = (new GraphDriveSelector(first == "users" ? GraphDriveKind.User : GraphDriveKind.Site, id), folder);
        }
        else
        {
            (drive, path) = (new GraphDriveSelector(GraphDriveKind.DriveId, first), after);
        }

        path = path.Trim('/');
        if (path.Length > 0 && RelativePath.Validate(path) is { } problem)
        {
            throw new FormatException($"'{text}' has an invalid folder path '{path}': {problem}.");
        }

        return new GraphEndpoint(drive, path);
    }

    /// <summary>The canonical endpoint text (parses back to an equal record).</summary>
    public override string ToString() => FolderPath.Length == 0 ? $"{Scheme}{Drive}" : $"{Scheme}{Drive}/{FolderPath}";

    private static (string Head, string Tail) Split(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (text, "") : (text[..slash], text[(slash + 1)..]);
    }
}

namespace SyncFunctions.GraphDev.Http;

/// <summary>
/// A parsed Graph API path. Graph's drive addressing does not fit route templates (<c>root:/a/b:/content</c>,
/// <c>items/{id}:/name:/createUploadSession</c>, <c>delta(token='…')</c>), so paths are parsed by hand.
/// </summary>
/// <param name="Drive">Drive selector: a drive id, or null for the caller's drive (me/users/sites/groups).</param>
/// <param name="BaseItem">"root" or an item id; null addresses the drive itself.</param>
/// <param name="RelativePath">The path of <c>{base}:/path:</c> addressing; null when not path-addressed.</param>
/// <param name="Action">"", children, content, delta, createUploadSession or copy.</param>
/// <param name="DeltaToken">The token of <c>delta(token='…')</c>, if any.</param>
internal sealed record DrivePath(string? Drive, string? BaseItem, string? RelativePath, string Action, string? DeltaToken);

/// <summary>Parses the part of a path after <c>/v1.0/</c>.</summary>
internal static class GraphPath
{
    /// <summary>Parses a drive path; null when the path is not one the server knows.</summary>
    public static DrivePath? ParseDrive(string path)
    {
        var rest = path.Trim('/');
        string? drive;
        if (TryStrip(ref rest, "me/drive") || TryStrip(ref rest, "drive"))
        {
            drive = null;
        }
        else if (TryTakeAfter(ref rest, "drives/", out var driveId))
        {
            drive = driveId;
        }
        else if (TryTakeAfter(ref rest, "users/", out _) || TryTakeAfter(ref rest, "sites/", out _) ||
                 TryTakeAfter(ref rest, "groups/", out _))
        {
            if (!TryStrip(ref rest, "drive"))
            {
                return null;
            }

            drive = null;
        }
        else
        {
            return null;
        }

        if (rest.Length == 0)
        {
            return new DrivePath(drive, null, null, "", null);
        }

        rest = rest.TrimStart('/');
        string baseItem;
        if (TryStrip(ref rest, "root"))
        {
            baseItem = "root";
        }
        else if (rest.StartsWith("items/", StringComparison.Ordinal))
        {
            var end = rest.IndexOfAny([':', '/'], 6);
            baseItem = end < 0 ? rest[6..] : rest[6..end];
            rest = end < 0 ? "" : rest[end..];
        }
        else
        {
            return null;
        }

        string? relativePath = null;
        if (rest.StartsWith(':'))
        {
            var close = rest.IndexOf(':', 1);
            relativePath = (close < 0 ? rest[1..] : rest[1..close]).Trim('/');
            rest = close < 0 ? "" : rest[(close + 1)..];
        }

        var action = rest.Trim('/');
        if (action.StartsWith("children/", StringComparison.Ordinal))
        {
            // items/{parent}/children/{child}[/content]: address the child directly.
            var parts = action.Split('/', 3);
            baseItem = parts[1];
            action = parts.Length > 2 ? parts[2] : "";
        }

        if (action.StartsWith("microsoft.graph.", StringComparison.Ordinal))
        {
            action = action["microsoft.graph.".Length..];
        }

        return ParseAction(drive, baseItem, relativePath, action);
    }

    private static DrivePath? ParseAction(string? drive, string baseItem, string? relativePath, string action)
    {
        if (action.StartsWith("delta", StringComparison.Ordinal))
        {
            var args = action[5..];
            string? token = null;
            if (args.StartsWith("(token=", StringComparison.Ordinal) && args.EndsWith(')'))
            {
                token = args[7..^1].Trim('\'');
            }
            else if (args is not ("" or "()"))
            {
                return null;
            }

            return new DrivePath(drive, baseItem, relativePath, "delta", token);
        }

        return action is "" or "children" or "content" or "createUploadSession" or "copy"
            ? new DrivePath(drive, baseItem, relativePath, action, null)
            : null;
    }

    private static bool TryStrip(ref string rest, string prefix)
    {
        if (rest == prefix)
        {
            rest = "";
            return true;
        }

        if (rest.StartsWith(prefix + "/", StringComparison.Ordinal) || rest.StartsWith(prefix + ":", StringComparison.Ordinal))
        {
            rest = rest[prefix.Length..];
            return true;
        }

        return false;
    }

    /// <summary>Strips "prefix{segment}" and returns the segment.</summary>
    private static bool TryTakeAfter(ref string rest, string prefix, out string segment)
    {
        segment = "";
        if (!rest.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var after = rest[prefix.Length..];
        var end = after.IndexOf('/', StringComparison.Ordinal);
        segment = end < 0 ? after : after[..end];
        rest = end < 0 ? "" : after[(end + 1)..];
        return segment.Length > 0;
    }
}

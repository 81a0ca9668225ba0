namespace SyncFunctions.Core.Engine;

public enum EndpointKind
{
    Local,
    Blob,

    /// <summary>A Microsoft 365 drive: <c>graph:DRIVE_ID[/PATH]</c>, <c>graph:me[/PATH]</c>, <c>graph:users/UPN[/PATH]</c>, <c>graph:sites/SITE_ID[/PATH]</c>.</summary>
    Graph,
}

/// <summary>
/// A parsed endpoint argument: a plain path or <c>local:PATH</c>, <c>blob:CONTAINER[/PREFIX]</c>, or
/// <c>graph:DRIVE[/PATH]</c> (the drive part is validated by the Graph adapter).
/// </summary>
public sealed record EndpointSpec(EndpointKind Kind, string LocalPath, string Container, string Prefix, string Graph = "")
{
    /// <summary>Parses an endpoint; returns null and a message naming the problem on bad input.</summary>
    public static EndpointSpec? Parse(string text, string baseDirectory, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "an endpoint is empty";
            return null;
        }

        if (text.StartsWith("graph:", StringComparison.Ordinal))
        {
            var rest = text["graph:".Length..].Trim('/');
            if (rest.Length == 0)
            {
                error = $"'{text}': name a drive: graph:DRIVE_ID[/PATH], graph:me, graph:users/UPN or graph:sites/SITE_ID";
                return null;
            }

            return new EndpointSpec(EndpointKind.Graph, "", "", "", rest);
        }

        if (text.StartsWith("blob:", StringComparison.Ordinal))
        {
            var rest = text["blob:".Length..].Trim('/');
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var container = slash < 0 ? rest : rest[..slash];
            var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
            var problem = ValidateContainerName(container) ?? ValidatePrefix(prefix);
            if (problem is not null)
            {
                error = $"'{text}': {problem}";
                return null;
            }

            return new EndpointSpec(EndpointKind.Blob, "", container, prefix);
        }

        var path = text.StartsWith("local:", StringComparison.Ordinal) ? text["local:".Length..] : text;
        if (path.Length == 0)
        {
            error = $"'{text}': empty local path";
            return null;
        }

        if (!text.StartsWith("local:", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(text, "^[A-Za-z][A-Za-z0-9+.-]+:"))
        {
            error = $"'{text}': unknown endpoint scheme (use a path, local:PATH or blob:CONTAINER[/PREFIX])";
            return null;
        }

        var full = Path.GetFullPath(path, baseDirectory);
        if (full.Length > 1)
        {
            full = full.TrimEnd('/');
        }

        return new EndpointSpec(EndpointKind.Local, full, "", "");
    }

    /// <summary>Blob container naming rules: 3-63 chars, lower-case letters, digits and single hyphens.</summary>
    public static string? ValidateContainerName(string name)
    {
        if (name.Length is < 3 or > 63)
        {
            return $"container name '{name}' must be 3 to 63 characters long";
        }

        if (!name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return $"container name '{name}' may hold only lower-case letters, digits and single hyphens, and must start and end with a letter or digit";
        }

        return null;
    }

    private static string? ValidatePrefix(string prefix)
    {
        if (prefix.Length == 0)
        {
            return null;
        }

        var problem = SyncFunctions.Abstractions.RelativePath.Validate(prefix);
        return problem is null ? null : $"prefix '{prefix}': {problem}";
    }

    /// <summary>The canonical form used for the pair id, given the blob account endpoint when the kind is Blob.</summary>
    public string Canonical(Uri? blobAccountEndpoint, Uri? graphBaseUrl = null) => Kind switch
    {
        EndpointKind.Local => "local:" + LocalPath,
        EndpointKind.Graph => "graph:" + (graphBaseUrl?.GetLeftPart(UriPartial.Path).TrimEnd('/') ?? "") + "|" + Graph,
        _ => "blob:" + (blobAccountEndpoint?.GetLeftPart(UriPartial.Path).TrimEnd('/') ?? "") + "/" + Container + (Prefix.Length > 0 ? "/" + Prefix : ""),
    };

    public override string ToString() => Kind switch
    {
        EndpointKind.Local => LocalPath,
        EndpointKind.Graph => "graph:" + Graph,
        _ => $"blob:{Container}{(Prefix.Length > 0 ? "/" + Prefix : "")}",
    };
}

namespace SyncFunctions.Azure;

/// <summary>The parts of a storage connection string that syncfn uses.</summary>
internal sealed record ConnectionSettings(
    string AccountName,
    string? AccountKey,
    string? SharedAccessSignature,
    Uri BlobEndpoint,
    Uri? QueueEndpoint,
    Uri? TableEndpoint);

/// <summary>
/// Parses and validates a storage connection string before any request is made. Error messages name the
/// setting that is wrong and never echo a value (a value may be a key or a SAS token).
/// </summary>
internal static class ConnectionStringParser
{
    private static readonly string[] KnownSettings =
    [
        "DefaultEndpointsProtocol", "AccountName", "AccountKey", "EndpointSuffix", "SharedAccessSignature",
        "BlobEndpoint", "QueueEndpoint", "TableEndpoint", "FileEndpoint", "UseDevelopmentStorage",
    ];

    /// <summary>Parses <paramref name="connectionString"/>; throws <see cref="FormatException"/> naming the problem.</summary>
    public static ConnectionSettings Parse(string? connectionString)
    {
        var values = Split(connectionString);
        if (values.ContainsKey("UseDevelopmentStorage"))
        {
            throw Invalid("UseDevelopmentStorage is not supported: give the account name, key and explicit endpoints " +
                "(omit --storage to use the embedded Azurite)");
        }

        var protocol = values.GetValueOrDefault("DefaultEndpointsProtocol", "https").ToLowerInvariant();
        if (protocol is not ("http" or "https"))
        {
            throw Invalid("DefaultEndpointsProtocol must be 'http' or 'https'");
        }

        var key = values.GetValueOrDefault("AccountKey");
        var sas = values.GetValueOrDefault("SharedAccessSignature")?.TrimStart('?');
        if (key is null && string.IsNullOrEmpty(sas))
        {
            throw Invalid("it has neither AccountKey nor SharedAccessSignature");
        }

        if (key is not null && !IsBase64(key))
        {
            throw Invalid("AccountKey is not valid base64 (was it copied completely?)");
        }

        var accountName = values.GetValueOrDefault("AccountName");
        if (key is not null && string.IsNullOrEmpty(accountName))
        {
            throw Invalid("AccountKey is given without AccountName");
        }

        var suffix = values.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        var blob = Endpoint(values, "BlobEndpoint", "blob", protocol, accountName, suffix)
            ?? throw Invalid("it has no BlobEndpoint and no AccountName to derive one from");
        var queue = Endpoint(values, "QueueEndpoint", "queue", protocol, accountName, suffix);
        var table = Endpoint(values, "TableEndpoint", "table", protocol, accountName, suffix);
        accountName ??= AccountFromEndpoint(blob);
        return new ConnectionSettings(accountName, key, string.IsNullOrEmpty(sas) ? null : sas, blob, queue, table);
    }

    private static Dictionary<string, string> Split(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw Invalid("it is empty");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var raw in connectionString.Split(';'))
        {
            index++;
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw Invalid($"setting #{index} is not of the form Name=Value");
            }

            var name = part[..eq].Trim();
            var known = Array.Find(KnownSettings, k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid($"setting #{index} has an unknown name {Printable(name)}");
            if (!values.TryAdd(known, part[(eq + 1)..].Trim()))
            {
                throw Invalid($"setting '{known}' is given twice");
            }
        }

        return values;
    }

    private static Uri? Endpoint(
        Dictionary<string, string> values, string setting, string service, string protocol, string? account, string suffix)
    {
        if (values.TryGetValue(setting, out var explicitValue))
        {
            if (!Uri.TryCreate(explicitValue, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw Invalid($"{setting} is not an absolute http(s) URL");
            }

            if (!string.IsNullOrEmpty(uri.Query))
            {
                throw Invalid($"{setting} must not contain a query (put a SAS token in SharedAccessSignature)");
            }

            return uri;
        }

        return string.IsNullOrEmpty(account) ? null : new Uri($"{protocol}://{account}.{service}.{suffix}/");
    }

    /// <summary>Path-style endpoints (IP or localhost, as Azurite uses) carry the account as the first path segment.</summary>
    private static string AccountFromEndpoint(Uri endpoint)
    {
        if (endpoint.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || endpoint.IsLoopback)
        {
            var segment = endpoint.AbsolutePath.Trim('/').Split('/')[0];
            return segment.Length > 0 ? segment : throw Invalid("BlobEndpoint has no account name in its path");
        }

        return endpoint.Host.Split('.')[0];
    }

    private static bool IsBase64(string value)
    {
        var buffer = new byte[(value.Length * 3 / 4) + 3];
        return value.Length > 0 && Convert.TryFromBase64String(value, buffer, out _);
    }

    /// <summary>Echo a setting name only when it looks like one: a pasted key fragment must never be printed.</summary>
    private static string Printable(string name) =>
        name.Length is > 0 and <= 32 && name.All(char.IsAsciiLetter) ? $"'{name}'" : "(not shown)";

    private static FormatException Invalid(string problem) => new($"Invalid storage connection string: {problem}.");
}

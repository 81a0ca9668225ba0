using System.Globalization;
using System.Text.Json;

namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// Reading of the canonical JSON formats: parse, check the version first (so a newer format reports
/// <see cref="FormatDamage.UnknownVersion"/>, not its new fields), read with <see cref="StrictObject"/>, then require
/// that the decoded value encodes back to exactly the bytes read, so one value has one stored form (and one id).
/// Every failure is a <see cref="RepositoryFormatException"/>.
/// </summary>
internal static class StrictJson
{
    /// <summary>The only format version of this build.</summary>
    public const int Version = 1;

    /// <summary>The most a stored tree or index may decompress to (a guard against damaged or hostile bytes).</summary>
    public const int MaxDecompressedLength = 512 * 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Decodes <paramref name="json"/> with <paramref name="read"/> (given the root object) and checks it is canonical.</summary>
    public static T Decode<T>(string objectName, ReadOnlyMemory<byte> json, Func<StrictObject, T> read, Func<T, byte[]> canonical)
    {
        T value;
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(objectName, "not a JSON object");
            }

            CheckVersion(objectName, root);
            value = read(new StrictObject(objectName, "", root));
        }
        catch (JsonException e)
        {
            throw new RepositoryFormatException(objectName, FormatDamage.Malformed, "not valid JSON (" + e.Message + ")", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            // A safety net: the reader checks kinds before reading, so these mean a check was missed.
            throw new RepositoryFormatException(objectName, FormatDamage.Malformed, "unreadable JSON (" + e.Message + ")", e);
        }

        byte[] again;
        try
        {
            again = canonical(value);
        }
        catch (ArgumentException e)
        {
            throw new RepositoryFormatException(objectName, FormatDamage.Malformed, e.Message, e);
        }

        if (!json.Span.SequenceEqual(again))
        {
            throw Malformed(objectName, "not in canonical form (property order, spacing, escapes or number form differ from what this version writes)");
        }

        return value;
    }

    public static RepositoryFormatException Malformed(string objectName, string problem) => new(objectName, FormatDamage.Malformed, problem);

    private static void CheckVersion(string objectName, JsonElement root)
    {
        if (!root.TryGetProperty("version", out var version))
        {
            throw Malformed(objectName, "no 'version' property");
        }

        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt64(out var number))
        {
            throw Malformed(objectName, "'version' is not an integer");
        }

        if (number != Version)
        {
            throw new RepositoryFormatException(objectName, FormatDamage.UnknownVersion,
                string.Create(CultureInfo.InvariantCulture, $"format version {number} is not supported (this build reads version {Version})"));
        }
    }
}

/// <summary>One JSON object of a stored format: exactly the properties the format lists, each read by kind.</summary>
internal sealed class StrictObject
{
    private readonly string _objectName;
    private readonly string _where;
    private readonly JsonElement _element;

    public StrictObject(string objectName, string where, JsonElement element)
    {
        _objectName = objectName;
        _where = where;
        _element = element;
    }

    /// <summary>Requires exactly these properties, each once.</summary>
    public StrictObject Expect(params string[] names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in _element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw Fail($"property '{property.Name}' appears twice");
            }

            if (!names.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Fail($"unknown property '{Printable(property.Name)}'");
            }
        }

        foreach (var name in names)
        {
            if (!seen.Contains(name))
            {
                throw Fail($"no '{name}' property");
            }
        }

        return this;
    }

    public string String(string name) => ReadString(name, Get(name));

    public string? NullableString(string name)
    {
        var value = Get(name);
        return value.ValueKind == JsonValueKind.Null ? null : ReadString(name, value);
    }

    public long Integer(string name, long min, long max)
    {
        var value = Get(name);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw Fail($"'{name}' is not an integer");
        }

        if (number < min || number > max)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"'{name}' is {number}, outside {min}..{max}"));
        }

        return number;
    }

    public bool Bool(string name)
    {
        var value = Get(name);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail($"'{name}' is not true or false"),
        };
    }

    public ObjectId Id(string name)
    {
        var text = String(name);
        return ObjectId.TryParse(text, out var id) ? id : throw Fail($"'{name}' is not {ObjectId.HexLength} lowercase hex digits");
    }

    public ObjectId? NullableId(string name) => Get(name).ValueKind == JsonValueKind.Null ? null : Id(name);

    public DateTimeOffset Time(string name)
    {
        var text = String(name);
        return DateTime.TryParseExact(text, CanonicalJsonWriter.TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? new DateTimeOffset(time, TimeSpan.Zero)
            : throw Fail($"'{name}' is not a UTC time like 2026-01-02T03:04:05.0000000Z");
    }

    public StrictObject Object(string name, string where)
    {
        var value = Get(name);
        return value.ValueKind == JsonValueKind.Object
            ? new StrictObject(_objectName, Join(where), value)
            : throw Fail($"'{name}' is not an object");
    }

    /// <summary>The items of an array property, each given with its index.</summary>
    public IEnumerable<(int Index, JsonElement Item)> Array(string name)
    {
        var value = Get(name);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Fail($"'{name}' is not an array");
        }

        return value.EnumerateArray().Select((item, index) => (index, item));
    }

    /// <summary>An item of an array that must be an object.</summary>
    public StrictObject Item(JsonElement item, string where) => item.ValueKind == JsonValueKind.Object
        ? new StrictObject(_objectName, Join(where), item)
        : throw Fail($"{where} is not an object");

    /// <summary>An item of an array that must be a string.</summary>
    public string StringItem(JsonElement item, string where) => ReadString(where, item);

    public RepositoryFormatException Fail(string problem) => StrictJson.Malformed(_objectName, _where.Length == 0 ? problem : _where + ": " + problem);

    private static string Printable(string text) => text.Length > 40 ? text[..40] + "..." : text;

    private string Join(string where) => _where.Length == 0 ? where : _where + ", " + where;

    private JsonElement Get(string name) => _element.TryGetProperty(name, out var value) ? value : throw Fail($"no '{name}' property");

    private string ReadString(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Fail($"'{name}' is not a string");
        }

        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new RepositoryFormatException(_objectName, FormatDamage.Malformed, $"'{name}' is not valid text ({e.Message})", e);
        }

        return CanonicalJsonWriter.IsWellFormed(text) ? text : throw Fail($"'{name}' has an unpaired surrogate");
    }
}

using System.Globalization;
using System.Text.Json;

namespace SyncFunctions.Graph;

/// <summary>
/// The fields of one delta record (a driveItem) the engine needs, exactly as the service sent them;
/// <see cref="DriveItems.ToChangeItem"/> maps them.
/// </summary>
/// <remarks>
/// Read the way the Graph SDK's JSON parse node fills a DriveItem, so the result equals what the SDK model gave:
/// property names are case-sensitive; a property whose value is null is ignored; a string, number or date property
/// holding a value of another kind reads as absent; a facet (folder, root, package, deleted, file, ...) is present
/// when its value is anything but null, even <c>{}</c>, and a repeated facet replaces the earlier one; the last of
/// repeated properties wins; everything else (annotations, unknown properties, nested objects and arrays) is skipped.
/// </remarks>
internal struct DeltaRecord
{
    public string? Id;
    public string? Name;
    public long? Size;
    public string? ETag;
    public string? CTag;
    public DateTimeOffset? LastModifiedDateTime;
    public DateTimeOffset? FileSystemLastModified;
    public string? ParentId;
    public string? QuickXorHash;
    public string? Sha256Hash;
    public string? Sha1Hash;
    public bool HasFolder;
    public bool HasRoot;
    public bool HasPackage;
    public bool HasDeleted;

    private enum Property
    {
        Other,
        Id,
        Name,
        ETag,
        CTag,
        Size,
        LastModifiedDateTime,
        ParentReference,
        FileSystemInfo,
        File,
        Folder,
        Root,
        Package,
        Deleted,
    }

    /// <summary>
    /// Reads the record whose first token <paramref name="reader"/> is on, leaving it on the record's last token.
    /// The whole record must be in the reader's buffer.
    /// </summary>
    /// <exception cref="JsonException">Malformed JSON, or a size that is not a 64-bit integer (the SDK rejects it too).</exception>
    public static DeltaRecord Read(ref Utf8JsonReader reader)
    {
        var record = default(DeltaRecord);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // The SDK makes an empty DriveItem of an element that is not an object: no id, so the mapping rejects it.
            Skip(ref reader);
            return record;
        }

        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var property = Classify(ref reader);
            if (NextValue(ref reader))
            {
                record.Assign(property, ref reader);
            }
        }

        return record;
    }

    private static Property Classify(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? Property.Id
        : reader.ValueTextEquals("name"u8) ? Property.Name
        : reader.ValueTextEquals("eTag"u8) ? Property.ETag
        : reader.ValueTextEquals("cTag"u8) ? Property.CTag
        : reader.ValueTextEquals("size"u8) ? Property.Size
        : reader.ValueTextEquals("lastModifiedDateTime"u8) ? Property.LastModifiedDateTime
        : reader.ValueTextEquals("parentReference"u8) ? Property.ParentReference
        : reader.ValueTextEquals("fileSystemInfo"u8) ? Property.FileSystemInfo
        : reader.ValueTextEquals("file"u8) ? Property.File
        : reader.ValueTextEquals("folder"u8) ? Property.Folder
        : reader.ValueTextEquals("root"u8) ? Property.Root
        : reader.ValueTextEquals("package"u8) ? Property.Package
        : reader.ValueTextEquals("deleted"u8) ? Property.Deleted
        : Property.Other;

    /// <summary>Takes the (non-null) value <paramref name="reader"/> is on for <paramref name="property"/>.</summary>
    private void Assign(Property property, ref Utf8JsonReader reader)
    {
        switch (property)
        {
            case Property.Id: Id = StringValue(ref reader); break;
            case Property.Name: Name = StringValue(ref reader); break;
            case Property.ETag: ETag = StringValue(ref reader); break;
            case Property.CTag: CTag = StringValue(ref reader); break;
            case Property.Size: Size = Int64Value(ref reader); break;
            case Property.LastModifiedDateTime: LastModifiedDateTime = DateValue(ref reader); break;
            case Property.ParentReference: ParentId = MemberValue<string?>(ref reader, "id"u8, StringValue); break;
            case Property.FileSystemInfo: FileSystemLastModified = MemberValue<DateTimeOffset?>(ref reader, "lastModifiedDateTime"u8, DateValue); break;
            case Property.File: ReadFile(ref reader); break;
            default:
                // A facet is there whatever it holds; its content is not needed.
                Skip(ref reader);
                HasFolder |= property == Property.Folder;
                HasRoot |= property == Property.Root;
                HasPackage |= property == Property.Package;
                HasDeleted |= property == Property.Deleted;
                break;
        }
    }

    /// <summary>The file facet: only its hashes are needed. A new facet replaces an earlier one, hashes and all.</summary>
    private void ReadFile(ref Utf8JsonReader reader)
    {
        (QuickXorHash, Sha256Hash, Sha1Hash) = (null, null, null);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader);
            return;
        }

        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var isHashes = reader.ValueTextEquals("hashes"u8);
            if (!NextValue(ref reader))
            {
                continue;
            }

            if (isHashes)
            {
                ReadHashes(ref reader);
            }
            else
            {
                Skip(ref reader);
            }
        }
    }

    private void ReadHashes(ref Utf8JsonReader reader)
    {
        (QuickXorHash, Sha256Hash, Sha1Hash) = (null, null, null);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader);
            return;
        }

        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var which = reader.ValueTextEquals("quickXorHash"u8) ? 1 : reader.ValueTextEquals("sha256Hash"u8) ? 2 : reader.ValueTextEquals("sha1Hash"u8) ? 3 : 0;
            if (!NextValue(ref reader))
            {
                continue;
            }

            var value = StringValue(ref reader);
            switch (which)
            {
                case 1: QuickXorHash = value; break;
                case 2: Sha256Hash = value; break;
                case 3: Sha1Hash = value; break;
            }
        }
    }

    private delegate T ValueReader<T>(ref Utf8JsonReader reader);

    /// <summary>One member of a nested object (a new object replaces an earlier one, so absent = null).</summary>
    private static T MemberValue<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ValueReader<T> read)
    {
        var value = default(T)!;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader);
            return value;
        }

        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals(name);
            if (!NextValue(ref reader))
            {
                continue;
            }

            if (wanted)
            {
                value = read(ref reader);
            }
            else
            {
                Skip(ref reader);
            }
        }

        return value;
    }

    private static string? StringValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        Skip(ref reader);
        return null;
    }

    private static long? Int64Value(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            Skip(ref reader);
            return null;
        }

        return reader.TryGetInt64(out var value) ? value : throw new JsonException("A driveItem's size is not a 64-bit integer.");
    }

    /// <summary>ISO 8601 as System.Text.Json reads it, else anything DateTimeOffset parses (as the SDK does).</summary>
    private static DateTimeOffset? DateValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            Skip(ref reader);
            return null;
        }

        if (reader.TryGetDateTimeOffset(out var value))
        {
            return value;
        }

        return DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? parsed : null;
    }

    /// <summary>Moves from a property name to its value; false when the value is null (which the SDK ignores).</summary>
    private static bool NextValue(ref Utf8JsonReader reader) => Next(ref reader) != JsonTokenType.Null;

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("A delta record ends early.");

    /// <summary>Skips the value the reader is on (an object or array whole; a scalar is one token already read).</summary>
    private static void Skip(ref Utf8JsonReader reader)
    {
        if ((reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) && !reader.TrySkip())
        {
            throw new JsonException("A delta record ends early.");
        }
    }
}

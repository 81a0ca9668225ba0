using Azure.Data.Tables;

namespace SyncFunctions.Azure;

/// <summary>
/// Typed reads and writes of table entity properties, with the format rules every ledger row follows:
/// enums as their names, nullable values omitted when null, default timestamps omitted (Table Storage
/// refuses dates before 1601), and a <c>SchemaVersion</c> on every row.
/// </summary>
internal static class RowFields
{
    /// <summary>The row format this build writes and the newest it can read.</summary>
    public const int SchemaVersion = 1;

    public const string SchemaVersionProperty = "SchemaVersion";

    public static TableEntity NewRow(string partitionKey, string rowKey) =>
        new(partitionKey, rowKey) { [SchemaVersionProperty] = SchemaVersion };

    public static void Put(this TableEntity row, string name, string? value)
    {
        if (value is not null)
        {
            row[name] = value;
        }
    }

    public static void Put(this TableEntity row, string name, DateTimeOffset? value)
    {
        if (value is { } v && v != default)
        {
            row[name] = v.ToUniversalTime();
        }
    }

    public static void PutEnum<TEnum>(this TableEntity row, string name, TEnum value)
        where TEnum : struct, Enum => row[name] = value.ToString();

    /// <summary>Throws when the row was written by a newer format than this build knows.</summary>
    public static void RequireKnownSchema(this TableEntity row, string table)
    {
        var version = row.GetInt32(SchemaVersionProperty) ?? SchemaVersion;
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException(
                $"Ledger row {table}/{row.PartitionKey}/{row.RowKey} has schema version {version}, written by a newer syncfn " +
                $"(this one reads up to version {SchemaVersion}); upgrade syncfn to use this ledger.");
        }
    }

    public static string RequiredString(this TableEntity row, string name, string table) =>
        row.GetString(name) ?? throw Missing(row, name, table);

    public static TEnum GetEnum<TEnum>(this TableEntity row, string name, TEnum fallback, string table)
        where TEnum : struct, Enum
    {
        var text = row.GetString(name);
        if (text is null)
        {
            return fallback;
        }

        return Enum.TryParse<TEnum>(text, ignoreCase: false, out var value) && Enum.IsDefined(value)
            ? value
            : throw new InvalidOperationException(
                $"Ledger row {table}/{row.PartitionKey}/{row.RowKey} has an unknown {name} '{text}' (written by a newer syncfn?).");
    }

    public static long Long(this TableEntity row, string name) => row.GetInt64(name) ?? 0;

    public static int Int(this TableEntity row, string name) => row.GetInt32(name) ?? 0;

    public static bool Bool(this TableEntity row, string name) => row.GetBoolean(name) ?? false;

    public static DateTimeOffset Time(this TableEntity row, string name) => row.GetDateTimeOffset(name) ?? default;

    public static string? ETagOf(this TableEntity row) => row.ETag == default ? null : row.ETag.ToString();

    private static InvalidOperationException Missing(TableEntity row, string name, string table) =>
        new($"Ledger row {table}/{row.PartitionKey}/{row.RowKey} has no {name} property.");
}

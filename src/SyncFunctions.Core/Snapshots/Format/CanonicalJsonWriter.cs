using System.Buffers;
using System.Globalization;
using System.Text;

namespace SyncFunctions.Core.Snapshots.Format;

/// <summary>
/// Writes the canonical JSON of the repository formats: no whitespace, properties in the order the format lists
/// them, integers in plain decimal, strings as UTF-8 with only <c>"</c>, <c>\</c> and control characters escaped
/// (<c>\b \t \n \f \r</c>, else <c>\u00xx</c> in lowercase hex), as in RFC 8785. Written here rather than by
/// System.Text.Json so that the bytes (and so the ids) cannot change with a .NET release's escaping rules.
/// </summary>
internal sealed class CanonicalJsonWriter
{
    /// <summary>The format of every time: UTC, 7 fraction digits, 'Z'.</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private readonly ArrayBufferWriter<byte> _out = new(256);
    private bool _needComma;

    public byte[] ToArray() => _out.WrittenSpan.ToArray();

    public CanonicalJsonWriter BeginObject()
    {
        ValuePrefix();
        Raw("{"u8);
        _needComma = false;
        return this;
    }

    public CanonicalJsonWriter EndObject()
    {
        Raw("}"u8);
        _needComma = true;
        return this;
    }

    public CanonicalJsonWriter BeginArray()
    {
        ValuePrefix();
        Raw("["u8);
        _needComma = false;
        return this;
    }

    public CanonicalJsonWriter EndArray()
    {
        Raw("]"u8);
        _needComma = true;
        return this;
    }

    /// <summary>Writes a property name (a plain ASCII constant of the format); its value follows.</summary>
    public CanonicalJsonWriter Name(string name)
    {
        ValuePrefix();
        Quoted(name);
        Raw(":"u8);
        _needComma = false;
        return this;
    }

    public CanonicalJsonWriter String(string value)
    {
        ValuePrefix();
        Quoted(value);
        _needComma = true;
        return this;
    }

    public CanonicalJsonWriter NullableString(string? value) => value is null ? Null() : String(value);

    public CanonicalJsonWriter Number(long value)
    {
        ValuePrefix();
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        Raw(digits[..written]);
        _needComma = true;
        return this;
    }

    public CanonicalJsonWriter Bool(bool value)
    {
        ValuePrefix();
        Raw(value ? "true"u8 : "false"u8);
        _needComma = true;
        return this;
    }

    public CanonicalJsonWriter Null()
    {
        ValuePrefix();
        Raw("null"u8);
        _needComma = true;
        return this;
    }

    public CanonicalJsonWriter Id(ObjectId id) => String(id.ToString());

    public CanonicalJsonWriter NullableId(ObjectId? id) => id is { } value ? Id(value) : Null();

    public CanonicalJsonWriter Time(DateTimeOffset time) => String(FormatTime(time));

    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="value"/> has no unpaired surrogate, so it has a UTF-8 form.</summary>
    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    private void ValuePrefix()
    {
        if (_needComma)
        {
            Raw(","u8);
        }
    }

    private void Raw(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    private void Quoted(string value)
    {
        if (!IsWellFormed(value))
        {
            throw new ArgumentException("a string has an unpaired surrogate, so it has no UTF-8 form", nameof(value));
        }

        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\b' => text.Append("\\b"),
                '\t' => text.Append("\\t"),
                '\n' => text.Append("\\n"),
                '\f' => text.Append("\\f"),
                '\r' => text.Append("\\r"),
                < ' ' => text.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
                _ => text.Append(c),
            };
        }

        text.Append('"');
        var chars = text.ToString();
        var span = _out.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length));
        _out.Advance(Encoding.UTF8.GetBytes(chars, span));
    }
}

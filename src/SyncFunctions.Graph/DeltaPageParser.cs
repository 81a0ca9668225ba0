using System.Text.Json;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>
/// Reads a delta response body (<c>{"value":[…],"@odata.nextLink"|"@odata.deltaLink":"…"}</c>) block by block
/// as it arrives, mapping each record to a <see cref="ChangeItem"/> once it is complete, so a page is never held as
/// text or as an SDK model. Not thread-safe: one instance per response.
/// </summary>
/// <remarks>
/// <para>The envelope is read like the SDK's DeltaGetResponse: properties in any order, <c>value</c> and the links
/// only (annotations such as <c>@odata.context</c> and unknown properties are skipped), a null ignored, a link that
/// is not a string read as absent, a <c>value</c> that is not an array read as empty. Records: <see cref="DeltaRecord"/>.</para>
/// <para>Each call to <see cref="Parse"/> consumes only whole units (the opening of the body, one envelope property
/// with its value, one record, the end of the array or body); the caller passes the rest again with more data.
/// A unit therefore has to fit in the caller's buffer.</para>
/// </remarks>
internal sealed class DeltaPageParser(string rootFolderId)
{
    private JsonReaderState _state;
    private Phase _phase;
    private string? _nextLink;
    private string? _deltaLink;
    private List<ChangeItem> _items = [];

    private enum Phase
    {
        BeforeBody,
        InEnvelope,
        InValue,
        AfterBody,
    }

    private enum EnvelopeProperty
    {
        Other,
        Value,
        NextLink,
        DeltaLink,
    }

    /// <summary>The page read (call after the final block).</summary>
    /// <exception cref="JsonException">The body has not ended.</exception>
    public DeltaPage Page => _phase == Phase.AfterBody
        ? new DeltaPage(_items, _nextLink, _deltaLink)
        : throw new JsonException("The delta response body ends early.");

    /// <summary>
    /// Reads the whole units at the start of <paramref name="data"/>, which continues where the previous call's
    /// consumed bytes ended. Returns how many bytes were consumed.
    /// </summary>
    /// <param name="data">Unconsumed bytes of the body.</param>
    /// <param name="isFinalBlock">True when <paramref name="data"/> runs to the end of the body.</param>
    /// <exception cref="JsonException">Malformed JSON (also a body that ends early, once the block is final).</exception>
    /// <exception cref="StorageException">Permanent: a record without an id.</exception>
    public int Parse(ReadOnlySpan<byte> data, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock, _state);
        var consumed = 0;

        // A unit that is not complete leaves the reader part-way: it is simply not committed.
        while (ReadUnit(ref reader))
        {
            consumed = checked((int)reader.BytesConsumed);
            _state = reader.CurrentState;
        }

        return consumed;
    }

    private bool ReadUnit(ref Utf8JsonReader reader) => _phase switch
    {
        Phase.BeforeBody => ReadBodyStart(ref reader),
        Phase.InEnvelope => ReadEnvelopeProperty(ref reader),
        Phase.InValue => ReadRecord(ref reader),
        _ => ReadAfterBody(ref reader),
    };

    /// <summary>Only whitespace may follow the body (the reader itself rejects a second value).</summary>
    private static bool ReadAfterBody(ref Utf8JsonReader reader) =>
        reader.Read() ? throw new JsonException("The delta response holds more than one JSON value.") : false;

    private bool ReadBodyStart(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            _phase = Phase.InEnvelope;
            return true;
        }

        // Not an object: the SDK reads an empty response (no items, no links), which the caller rejects.
        if (!SkipValue(ref reader))
        {
            return false;
        }

        _phase = Phase.AfterBody;
        return true;
    }

    private bool ReadEnvelopeProperty(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _phase = Phase.AfterBody;
            return true;
        }

        var property = reader.ValueTextEquals("value"u8) ? EnvelopeProperty.Value
            : reader.ValueTextEquals("@odata.nextLink"u8) ? EnvelopeProperty.NextLink
            : reader.ValueTextEquals("@odata.deltaLink"u8) ? EnvelopeProperty.DeltaLink
            : EnvelopeProperty.Other;
        if (!reader.Read())
        {
            return false;
        }

        if (property == EnvelopeProperty.Value && reader.TokenType == JsonTokenType.StartArray)
        {
            // A repeated "value" replaces the earlier one, as in the SDK.
            _items = [];
            _phase = Phase.InValue;
            return true;
        }

        var kind = reader.TokenType;
        var text = kind == JsonTokenType.String && property != EnvelopeProperty.Other ? reader.GetString() : null;
        if (!SkipValue(ref reader))
        {
            return false;
        }

        if (kind != JsonTokenType.Null)
        {
            switch (property)
            {
                case EnvelopeProperty.Value: _items = []; break;
                case EnvelopeProperty.NextLink: _nextLink = text; break;
                case EnvelopeProperty.DeltaLink: _deltaLink = text; break;
            }
        }

        return true;
    }

    private bool ReadRecord(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndArray)
        {
            _phase = Phase.InEnvelope;
            return true;
        }

        // Read a record only once all of it is here (a copy of the reader looks ahead; a final block is all here).
        var ahead = reader;
        if (!reader.IsFinalBlock && !SkipValue(ref ahead))
        {
            return false;
        }

        var record = DeltaRecord.Read(ref reader);
        _items.Add(DriveItems.ToChangeItem(record, rootFolderId));
        return true;
    }

    /// <summary>Moves past the value the reader is on; false when it does not end within the data yet.</summary>
    private static bool SkipValue(ref Utf8JsonReader reader) =>
        reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray) || reader.TrySkip();
}

/// <summary>A delta page as the service sent it: the mapped records in feed order and the links.</summary>
internal sealed record DeltaPage(List<ChangeItem> Items, string? NextLink, string? DeltaLink);

namespace SyncFunctions.Azure;

/// <summary>Checks ids used verbatim as table keys, so a bad id fails with its name instead of an opaque 400.</summary>
internal static class TableKeys
{
    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="value"/> cannot be a partition or row key.</summary>
    public static void Require(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"The {what} is empty.", what);
        }

        if (value.Length > 255)
        {
            throw new ArgumentException($"The {what} is longer than 255 characters.", what);
        }

        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                throw new ArgumentException($"The {what} '{value}' contains a character table keys cannot hold (/ \\ # ? or a control character).", what);
            }
        }
    }
}

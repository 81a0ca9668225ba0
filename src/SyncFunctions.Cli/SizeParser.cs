using System.Globalization;

namespace SyncFunctions.Cli;

/// <summary>
/// Parses byte sizes such as <c>4MiB</c>, <c>8M</c>, <c>512KiB</c>, <c>1.5GiB</c> or <c>1048576</c>.
/// </summary>
/// <remarks>
/// K, M, G and KiB, MiB, GiB are binary (powers of 1024), as storage tools usually mean them;
/// KB, MB, GB are decimal (powers of 1000). Suffixes are case-insensitive; a trailing B alone means bytes.
/// </remarks>
internal static class SizeParser
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30), ("tib", 1L << 40),
        ("kb", 1000L), ("mb", 1000L * 1000), ("gb", 1000L * 1000 * 1000), ("tb", 1000L * 1000 * 1000 * 1000),
        ("k", 1L << 10), ("m", 1L << 20), ("g", 1L << 30), ("t", 1L << 40),
        ("b", 1L),
    ];

    /// <summary>Returns the size in bytes, or null with a message naming <paramref name="optionName"/>.</summary>
    public static long? Parse(string text, string optionName, out string? error)
    {
        error = null;
        var t = (text ?? "").Trim();
        var factor = 1L;
        foreach (var (suffix, f) in Units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                t = t[..^suffix.Length].TrimEnd();
                factor = f;
                break;
            }
        }

        if (t.Length > 0
            && decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            && number > 0
            && number * factor <= long.MaxValue)
        {
            var bytes = decimal.Round(number * factor, MidpointRounding.AwayFromZero);
            if (bytes >= 1)
            {
                return (long)bytes;
            }
        }

        error = $"{optionName} takes a positive size such as 4MiB, 8M, 512KiB or 1048576 (got '{text}')";
        return null;
    }

    /// <summary>A short human form: 1.5 MiB.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[unit]}");
    }
}

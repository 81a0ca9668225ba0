using System.Globalization;

namespace SyncFunctions.Cli;

/// <summary>Parses durations such as <c>30s</c>, <c>2m</c>, <c>1.5h</c>, <c>500ms</c> or <c>90</c> (a plain number is seconds).</summary>
/// <remarks>Units: ms, s (sec), m (min), h, d; case-insensitive, a space before the unit is allowed.</remarks>
internal static class DurationParser
{
    // Longer suffixes first: "ms" before "s", "min" before "m".
    private static readonly (string Suffix, double Seconds)[] Units =
    [
        ("ms", 0.001), ("sec", 1), ("min", 60), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ];

    /// <summary>Returns the duration, or null with a message naming <paramref name="name"/> (an option or variable).</summary>
    public static TimeSpan? Parse(string text, string name, out string? error)
    {
        error = null;
        var t = (text ?? "").Trim();
        var factor = 1.0;
        foreach (var (suffix, seconds) in Units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                t = t[..^suffix.Length].TrimEnd();
                factor = seconds;
                break;
            }
        }

        if (t.Length > 0
            && double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number * factor)
            && number * factor < TimeSpan.MaxValue.TotalSeconds)
        {
            return TimeSpan.FromSeconds(number * factor);
        }

        error = $"{name} takes a duration such as 30s, 2m, 1h or 90 (seconds) (got '{text}')";
        return null;
    }
}

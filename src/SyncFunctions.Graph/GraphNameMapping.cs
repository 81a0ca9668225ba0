using System.Buffers;
using System.Text;
using SyncFunctions.Abstractions;

namespace SyncFunctions.Graph;

/// <summary>
/// The reversible mapping between the names the engine uses (any valid <see cref="RelativePath"/>) and
/// names a OneDrive / SharePoint drive can hold. Applied per path segment.
/// </summary>
/// <remarks>
/// <para>Table (original -> on the drive):</para>
/// <list type="table">
/// <item><term><c>" * : &lt; &gt; ? |</c></term><description>fullwidth <c>＂ ＊ ： ＜ ＞ ？ ｜</c> (U+FF02, U+FF0A, U+FF1A, U+FF1C, U+FF1E, U+FF1F, U+FF5C), anywhere in a name.</description></item>
/// <item><term>trailing <c>.</c></term><description>fullwidth full stop <c>．</c> (U+FF0E).</description></item>
/// <item><term>leading / trailing white space (space, no-break space, ...)</term><description>the escape <c>‛</c> (U+201B) before a
/// leading one and after a trailing one, so the name neither starts nor ends with white space (the service trims or
/// rejects it). Fullwidth forms do not work here: U+3000 is white space too.</description></item>
/// <item><term>reserved names (CON PRN AUX NUL COM0-9 LPT0-9 .lock desktop.ini), a <c>~$</c> prefix, <c>_vti_</c> anywhere</term><description>the escape <c>‛</c> (U+201B) is put in front of the first character (of <c>vti</c>) to break the pattern.</description></item>
/// <item><term>a character that would decode (one of the replacements above where it would be decoded, or <c>‛</c> itself)</term><description>escaped as <c>‛</c> + the character, so every mapping round-trips.</description></item>
/// </list>
/// <para>Decoding (<see cref="FromDrive"/>) reads <c>‛x</c> as a literal <c>x</c>, drops an unpaired <c>‛</c> at the end, and turns the replacements back; a name
/// created natively on the drive with a fullwidth <c>：</c> is therefore listed as <c>:</c> and written back as <c>：</c>
/// (the same convention rclone uses). <c>/</c> and <c>\</c> are never part of a name in the engine's path model, so
/// their fullwidth forms stay as they are. A decoded segment that would be <c>.</c> or <c>..</c> keeps its drive form.</para>
/// <para>Names that cannot be held even after mapping (a segment over 255 characters, a path over 400) throw
/// <see cref="StorageException"/> with <see cref="StorageErrorKind.InvalidName"/>. Pure functions; thread-safe.</para>
/// </remarks>
public static class GraphNameMapping
{
    /// <summary>Longest name (UTF-16 code units) OneDrive holds.</summary>
    public const int MaxNameLength = 255;

    /// <summary>Longest path below the drive root (UTF-16 code units) OneDrive holds.</summary>
    public const int MaxPathLength = 400;

    /// <summary>The escape character: the next character is taken literally.</summary>
    public const char Escape = '\u201B';

    private const char FullwidthStop = '\uFF0E';
    private const string Forbidden = "\"*:<>?|";
    private const string Fullwidth = "\uFF02\uFF0A\uFF1A\uFF1C\uFF1E\uFF1F\uFF5C";

    /// <summary>Every character <see cref="FromDriveName"/> may change: the escape, the fullwidth forms and the fullwidth stop.</summary>
    private static readonly SearchValues<char> MappedChars = SearchValues.Create(Fullwidth + Escape + FullwidthStop);

    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ".lock", "CON", "PRN", "AUX", "NUL", "desktop.ini",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>Maps a relative path to the drive's form; throws InvalidName when it cannot be held.</summary>
    public static string ToDrive(string path)
    {
        RelativePath.Require(path);
        var mapped = string.Join('/', path.Split('/').Select(ToDriveName));
        return mapped.Length <= MaxPathLength
            ? mapped
            : throw new StorageException(
                StorageErrorKind.InvalidName,
                $"'{path}' is {mapped.Length} characters on the drive; OneDrive holds paths of at most {MaxPathLength}.");
    }

    /// <summary>Maps a path as the drive holds it back to the original names.</summary>
    public static string FromDrive(string drivePath) => string.Join('/', drivePath.Split('/').Select(FromDriveName));

    /// <summary>Maps one name (no '/') to the drive's form; throws InvalidName when it cannot be held.</summary>
    public static string ToDriveName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var first = i == 0;
            var last = i == name.Length - 1;
            if (NeedsEscape(c, last) || (first && char.IsWhiteSpace(c)))
            {
                builder.Append(Escape).Append(c);
            }
            else if (Forbidden.IndexOf(c, StringComparison.Ordinal) is var k and >= 0)
            {
                builder.Append(Fullwidth[k]);
            }
            else if (c == '.' && last)
            {
                builder.Append(FullwidthStop);
            }
            else
            {
                builder.Append(c);
            }
        }

        if (char.IsWhiteSpace(builder[^1]))
        {
            builder.Append(Escape);
        }

        var mapped = BreakReservedPatterns(builder.ToString());
        return mapped.Length <= MaxNameLength
            ? mapped
            : throw new StorageException(
                StorageErrorKind.InvalidName,
                $"the name '{name}' is {mapped.Length} characters on the drive; OneDrive holds names of at most {MaxNameLength}.");
    }

    /// <summary>Maps one name as the drive holds it back to the original name.</summary>
    public static string FromDriveName(string driveName)
    {
        ArgumentNullException.ThrowIfNull(driveName);

        // Almost every name is stored as it is: no copy then (delta pages map every item's name).
        if (driveName.AsSpan().IndexOfAny(MappedChars) < 0)
        {
            return driveName;
        }

        var builder = new StringBuilder(driveName.Length);
        for (var i = 0; i < driveName.Length; i++)
        {
            var c = driveName[i];
            var last = i == driveName.Length - 1;
            if (c == Escape)
            {
                // An unpaired escape at the end only marks trailing white space.
                if (!last)
                {
                    builder.Append(driveName[++i]);
                }
            }
            else if (Fullwidth.IndexOf(c, StringComparison.Ordinal) is var k and >= 0)
            {
                builder.Append(Forbidden[k]);
            }
            else if (c == FullwidthStop && last)
            {
                builder.Append('.');
            }
            else
            {
                builder.Append(c);
            }
        }

        var decoded = builder.ToString();

        // "." and ".." are not names in the engine's path model; such a native name stays as the drive holds it.
        return decoded is "." or ".." ? driveName : decoded;
    }

    /// <summary>True when <paramref name="name"/> is a name the drive accepts as it is (used by tests and checks).</summary>
    public static bool IsValidDriveName(string name) =>
        name.Length is > 0 and <= MaxNameLength
        && name.IndexOfAny([.. Forbidden, '/', '\\']) < 0
        && !name.Any(char.IsControl)
        && name == name.Trim()
        && !name.EndsWith('.')
        && !ReservedNames.Contains(name)
        && !name.StartsWith("~$", StringComparison.Ordinal)
        && !name.Contains("_vti_", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True for characters that <see cref="FromDriveName"/> would change at this position, so a literal
    /// one must be escaped.
    /// </summary>
    private static bool NeedsEscape(char c, bool last) =>
        c == Escape
        || Fullwidth.Contains(c, StringComparison.Ordinal)
        || (c == FullwidthStop && last);

    /// <summary>Escapes the first character of a reserved name, of a "~$" prefix and of each "vti" in "_vti_".</summary>
    private static string BreakReservedPatterns(string name)
    {
        if (ReservedNames.Contains(name) || name.StartsWith("~$", StringComparison.Ordinal))
        {
            name = Escape + name;
        }

        int at;
        while ((at = name.IndexOf("_vti_", StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            name = string.Concat(name.AsSpan(0, at + 1), Escape.ToString(), name.AsSpan(at + 1));
        }

        return name;
    }
}

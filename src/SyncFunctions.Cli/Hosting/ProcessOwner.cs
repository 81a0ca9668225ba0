using System.Globalization;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Hosting;

/// <summary>
/// Who this process is (host, pid, start time) and whether another process on this host is still the
/// same live process. The start time makes the check safe against pid reuse: a recycled pid has a later
/// start time.
/// </summary>
/// <remarks>Stateless and thread-safe. Reads /proc on Linux; elsewhere answers "cannot tell" (null).</remarks>
internal sealed class ProcessOwner : IOwnerLiveness
{
    /// <summary>Start times read twice may differ by rounding of the boot time; a reused pid differs by far more.</summary>
    private static readonly TimeSpan StartTolerance = TimeSpan.FromSeconds(1);

    public static OwnerIdentity Current(TimeProvider time)
    {
        var pid = Environment.ProcessId;
        var started = ReadStartTime(pid) ?? time.GetUtcNow();
        return new OwnerIdentity(Environment.MachineName, pid, started);
    }

    /// <inheritdoc />
    public bool? IsAlive(string host, int pid, DateTimeOffset started)
    {
        if (!string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) || !OperatingSystem.IsLinux())
        {
            return null;
        }

        if (pid <= 0)
        {
            return false;
        }

        var actual = ReadStartTime(pid);
        return actual is { } a && (a - started).Duration() <= StartTolerance;
    }

    /// <summary>True when a process with this pid exists and is not a zombie (any start time).</summary>
    public static bool PidExists(int pid) => pid > 0 && ReadStat(pid) is { } stat && stat.State != 'Z';

    /// <summary>The start time of <paramref name="pid"/> from /proc, or null when it is gone (or a zombie).</summary>
    public static DateTimeOffset? ReadStartTime(int pid)
    {
        if (ReadStat(pid) is not { } stat || stat.State == 'Z')
        {
            return null;
        }

        var bootTime = ReadBootTime();
        return bootTime?.AddSeconds(stat.StartTicks / (double)ClockTicksPerSecond);
    }

    // USER_HZ is 100 on every Linux architecture .NET runs on; /proc reports start times in these ticks.
    private const long ClockTicksPerSecond = 100;

    private static (char State, long StartTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.Length < 20 || fields[0].Length == 0 || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            return null;
        }

        return (fields[0][0], ticks);
    }

    private static DateTimeOffset? ReadBootTime()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                {
                    return DateTimeOffset.FromUnixTimeSeconds(seconds);
                }
            }
        }
        catch (IOException)
        {
            return null;
        }

        return null;
    }
}

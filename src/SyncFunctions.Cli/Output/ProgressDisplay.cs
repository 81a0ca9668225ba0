using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Output;

/// <summary>Keeps the latest progress report; the display polls it, so the engine never waits on output.</summary>
/// <remarks>Thread-safe: many workers report concurrently; only the newest report matters.</remarks>
internal sealed class ProgressSink : IProgress<SyncProgress>
{
    private SyncProgress? _latest;

    public SyncProgress? Latest => Volatile.Read(ref _latest);

    public void Report(SyncProgress value) => Volatile.Write(ref _latest, value);
}

/// <summary>Shows progress while a run works: a live Spectre display on a terminal, else a log line now and then.</summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromMilliseconds(200);

    /// <summary>Files done/total, bytes, rate and ETA, redrawn until <paramref name="work"/> ends.</summary>
    public static async Task<T> RunLiveAsync<T>(IAnsiConsole console, ProgressSink sink, Task<T> work, TimeProvider time)
    {
        await console.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                while (!work.IsCompleted)
                {
                    Apply(task, sink.Latest);
                    await Task.WhenAny(work, Task.Delay(LiveRefresh, time)).ConfigureAwait(false);
                }

                Apply(task, sink.Latest);
            }).ConfigureAwait(false);
        return await work.ConfigureAwait(false);
    }

    /// <summary>A plain log line every <paramref name="interval"/> until <paramref name="work"/> ends.</summary>
    public static async Task<T> RunLoggedAsync<T>(ILogger logger, ProgressSink sink, Task<T> work, TimeProvider time, TimeSpan interval)
    {
        var started = time.GetTimestamp();
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(interval, time)).ConfigureAwait(false);
            if (!work.IsCompleted && sink.Latest is { } p)
            {
                CliLogs.Progress(logger, Describe(p, time.GetElapsedTime(started)));
            }
        }

        return await work.ConfigureAwait(false);
    }

    /// <summary>"copying 120/2,000 files, 1.2 MiB of 30 MiB, 3.4 MiB/s, ETA 0:09".</summary>
    public static string Describe(SyncProgress p, TimeSpan elapsed)
    {
        if (p.Message is not null)
        {
            return Label(p);
        }

        var bytes = $"{SizeParser.Format(p.BytesDone)} of {SizeParser.Format(p.BytesTotal)}";
        var rate = elapsed.TotalSeconds > 0 ? p.BytesDone / elapsed.TotalSeconds : 0;
        var eta = rate > 0 && p.ObserveDone && p.BytesTotal > p.BytesDone
            ? ", ETA " + SummaryPrinter.FormatDuration(TimeSpan.FromSeconds((p.BytesTotal - p.BytesDone) / rate))
            : "";
        return string.Create(CultureInfo.InvariantCulture, $"{Label(p)}, {bytes}, {SizeParser.Format((long)rate)}/s{eta}");
    }

    private static void Apply(ProgressTask task, SyncProgress? p)
    {
        if (p is null)
        {
            return;
        }

        task.MaxValue = Math.Max(1, p.BytesTotal);
        task.Value = Math.Min(p.BytesDone, task.MaxValue);
        task.Description = Markup.Escape(Label(p));
    }

    /// <summary>"enumerate: 84,234 changes read…" when the engine says what it does, else "transfer 120/2,000+ files".</summary>
    private static string Label(SyncProgress p) => p.Message is { } message
        ? $"{p.Phase}: {message}"
        : FormattableString.Invariant($"{p.Phase} {p.FilesDone:N0}/{p.FilesTotal:N0}{(p.ObserveDone ? "" : "+")} files");
}

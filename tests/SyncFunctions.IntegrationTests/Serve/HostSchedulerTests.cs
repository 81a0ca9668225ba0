using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SyncFunctions.Orchestration.Timers;
using SyncFunctions.Serve;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary><c>serve</c>'s timer loop driven by a fake clock: each job runs once per occurrence of its schedule.</summary>
public sealed class HostSchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 3, 28, 0, TimeSpan.Zero);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly Channel<(string Job, DateTimeOffset Next)> _waiting = Channel.CreateUnbounded<(string, DateTimeOffset)>();
    private readonly Channel<(string Job, DateTimeOffset At)> _ran = Channel.CreateUnbounded<(string, DateTimeOffset)>();

    [Fact]
    public async Task RunAsync_DefaultJobsOverADay_EachRunsAtEveryOccurrenceAndAtNoOtherTime()
    {
        var jobs = new TimerJobs()
            .Add(TimerJobNames.Maintenance, TimerSchedules.Maintenance, Record(TimerJobNames.Maintenance))
            .Add(TimerJobNames.SchedulesReconcile, TimerSchedules.SchedulesReconcile, Record(TimerJobNames.SchedulesReconcile));
        using var stop = new CancellationTokenSource();
        var loop = Scheduler(jobs).RunAsync(stop.Token);
        var next = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await NextWaitsAsync(next, 2);
        Assert.Equal(Start.AddMinutes(2), next[TimerJobNames.Maintenance]);
        Assert.Equal(Start.AddMinutes(2), next[TimerJobNames.SchedulesReconcile]);

        var ran = new List<(string Job, DateTimeOffset At)>();
        var end = Start.AddDays(1).AddMinutes(10);
        while (next.Values.Min() <= end)
        {
            var due = next.Values.Min();
            _clock.SetUtcNow(due);
            var dueJobs = next.Where(kv => kv.Value == due).Select(kv => kv.Key).ToList();
            for (var i = 0; i < dueJobs.Count; i++)
            {
                ran.Add(await _ran.Reader.ReadAsync().AsTask().WaitAsync(Wait));
            }

            await NextWaitsAsync(next, dueJobs.Count);
        }

        await stop.CancelAsync();
        await loop.WaitAsync(Wait);
        Assert.Equal([Start.AddMinutes(2), Start.AddDays(1).AddMinutes(2)], ran.Where(r => r.Job == TimerJobNames.Maintenance).Select(r => r.At));
        var reconciles = ran.Where(r => r.Job == TimerJobNames.SchedulesReconcile).Select(r => r.At).ToList();
        Assert.Equal(Enumerable.Range(0, 12 * 24 + 2).Select(i => Start.AddMinutes(2 + (5 * i))), reconciles);
        Assert.False(_ran.Reader.TryRead(out _));
    }

    [Fact]
    public async Task RunAsync_JobThrows_IsLoggedAndRunsAgainAtItsNextOccurrence()
    {
        var calls = 0;
        var jobs = new TimerJobs().Add("flaky", "0 * * * * *", ct =>
        {
            _ran.Writer.TryWrite(("flaky", _clock.GetUtcNow()));
            return ++calls == 1 ? throw new InvalidOperationException("boom") : Task.CompletedTask;
        });
        using var stop = new CancellationTokenSource();
        var loop = Scheduler(jobs).RunAsync(stop.Token);
        var next = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

        for (var i = 0; i < 3; i++)
        {
            await NextWaitsAsync(next, 1);
            _clock.SetUtcNow(next["flaky"]);
            Assert.Equal(("flaky", next["flaky"]), await _ran.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        }

        await stop.CancelAsync();
        await loop.WaitAsync(Wait);
        Assert.Equal(3, calls);
    }

    [Fact]
    public void Add_SameNameTwiceOrBadCron_Throws()
    {
        var jobs = new TimerJobs().Add("a", "0 * * * * *", _ => Task.CompletedTask);

        Assert.Throws<ArgumentException>(() => jobs.Add("a", "0 * * * * *", _ => Task.CompletedTask));
        Assert.ThrowsAny<Exception>(() => jobs.Add("b", "* * * *", _ => Task.CompletedTask));
    }

    private HostScheduler Scheduler(TimerJobs jobs) =>
        new(jobs, _clock, NullLogger.Instance) { Waiting = (job, at) => _waiting.Writer.TryWrite((job, at)) };

    private Func<CancellationToken, Task> Record(string job) => _ =>
    {
        _ran.Writer.TryWrite((job, _clock.GetUtcNow()));
        return Task.CompletedTask;
    };

    private async Task NextWaitsAsync(Dictionary<string, DateTimeOffset> next, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (job, at) = await _waiting.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            next[job] = at;
        }
    }
}

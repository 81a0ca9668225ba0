using System.Globalization;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// Turns planned actions into work items: up to 100 small actions per item, one item per large file, deletes
/// in items of their own. Item ids are sequence numbers, so a plan written again after a crash produces the
/// same rows; an item that already exists is kept (it may be claimed or done).
/// </summary>
internal sealed class PlanWriter
{
    private const int BatchSize = 100;
    private readonly RunContext _ctx;
    private readonly List<ActionRecord> _small = new(BatchSize);
    private readonly List<ActionRecord> _deletes = new(BatchSize);
    private readonly bool _resumed;
    private int _itemNo;

    public PlanWriter(RunContext ctx)
    {
        _ctx = ctx;
        var run = ctx.Run;
        _itemNo = run.WorkItemCount;
        Actions = run.TotalActions;
        Bytes = run.TotalBytes;
        PlannedDeletes = run.PlannedDeletes;
        _resumed = run.ObserveContinuation is not null || _itemNo > 0;
    }

    public long Actions { get; private set; }
    public long Bytes { get; private set; }
    public long PlannedDeletes { get; private set; }
    public int ItemCount => _itemNo;
    public bool BatchFull => _small.Count >= BatchSize;

    public void AddSkipped(string path, string reason)
    {
        _small.Add(NewAction(ActionKind.Upload, path, null) with { Status = ActionStatus.Skipped, LastError = reason });
        Actions++;
    }

    public async Task AddAsync(PlannedAction a, CancellationToken cancellationToken) =>
        await AddAsync(NewAction(a.Kind, a.Path, a), cancellationToken).ConfigureAwait(false);

    public async Task AddAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        Actions++;
        if (action.Kind == ActionKind.Delete)
        {
            PlannedDeletes++;
            _deletes.Add(action);
            if (_deletes.Count >= BatchSize)
            {
                await WriteItemAsync(WorkItemKind.Deletes, _deletes, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        Bytes += action.Kind == ActionKind.Upload ? action.SourceSize : 0;
        if (action.Kind == ActionKind.Upload && action.SourceSize > _ctx.Options.ChunkSize)
        {
            await WriteItemAsync(WorkItemKind.LargeFile, [action], cancellationToken).ConfigureAwait(false);
            return;
        }

        _small.Add(action);
    }

    /// <summary>A new action row (ids are assigned when its item is written).</summary>
    public ActionRecord NewAction(ActionKind kind, string path, PlannedAction? a) => new()
    {
        RunId = _ctx.RunId,
        ItemId = "",
        ActionId = "",
        Kind = kind,
        Path = path,
        SourceSize = a?.Source?.Size ?? a?.Baseline?.Size ?? 0,
        SourceLastModified = a?.Source?.LastModified ?? a?.Baseline?.LastModified ?? default,
        SourceVersion = a?.Source?.Version,
        SourceSha256 = a?.Source?.Sha256,
        SourceItemId = a?.Source?.ItemId ?? a?.Baseline?.SourceItemId,
        SourceParentId = a?.Source?.ParentId ?? a?.Baseline?.SourceParentId,
        ExpectedDestETag = a?.ExpectedDestETag,
        VerifyHashFirst = a?.VerifyHashFirst ?? false,
        KnownSha256 = a?.KnownSha256,
        DestinationETag = a?.Destination?.Version,
    };

    /// <summary>Writes every buffered action and records how far the plan got.</summary>
    public async Task FlushAsync(string? continuation, CancellationToken cancellationToken)
    {
        if (_small.Count > 0)
        {
            await WriteItemAsync(WorkItemKind.SmallBatch, _small, cancellationToken).ConfigureAwait(false);
        }

        if (_deletes.Count > 0)
        {
            await WriteItemAsync(WorkItemKind.Deletes, _deletes, cancellationToken).ConfigureAwait(false);
        }

        if (_itemNo == _ctx.Run.WorkItemCount && (continuation is null || continuation == _ctx.Run.ObserveContinuation))
        {
            return; // nothing new to record
        }

        await _ctx.UpdateRunAsync(
            r => r with
            {
                ObserveContinuation = continuation ?? r.ObserveContinuation,
                WorkItemCount = _itemNo,
                TotalActions = Actions,
                TotalBytes = Bytes,
                PlannedDeletes = PlannedDeletes,
            },
            cancellationToken).ConfigureAwait(false);
        _ctx.ReportProgress("observe");
    }

    /// <summary>Marks observation done and decides --max-delete for the whole run.</summary>
    public async Task FinishAsync(long baselineCount, CancellationToken cancellationToken)
    {
        var limit = _ctx.Options.MaxDelete;
        var held = limit is not null && !limit.Allows(PlannedDeletes, baselineCount);
        if (held)
        {
            Logs.DeletesHeldBack(_ctx.Log, PlannedDeletes, limit!.ToString(), baselineCount);
        }

        await _ctx.UpdateRunAsync(
            r => r with
            {
                ObserveDone = true,
                ObserveContinuation = null,
                WorkItemCount = _itemNo,
                TotalActions = Actions,
                TotalBytes = Bytes,
                PlannedDeletes = PlannedDeletes,
                BaselineCount = baselineCount,
                DeletesHeldBack = held,
                HeldBackDeletes = held ? PlannedDeletes : 0,
            },
            cancellationToken).ConfigureAwait(false);
        Logs.ObserveFinished(_ctx.Log, Actions, Bytes, PlannedDeletes);
        _ctx.Queue.Pulse();
    }

    private static string Id(int n, string format) => n.ToString(format, CultureInfo.InvariantCulture);

    private async Task WriteItemAsync(WorkItemKind kind, List<ActionRecord> actions, CancellationToken cancellationToken)
    {
        var itemId = Id(_itemNo, "D8");
        var rows = actions.Select((a, i) => a with { ItemId = itemId, ActionId = Id(i, "D3") }).ToList();
        actions.Clear();
        _itemNo++;
        var item = new WorkItemRecord
        {
            RunId = _ctx.RunId,
            ItemId = itemId,
            Kind = kind,
            ActionCount = rows.Count,
            TotalBytes = rows.Where(r => r.Kind == ActionKind.Upload && r.Status == ActionStatus.Pending).Sum(r => r.SourceSize),
        };

        if (_resumed)
        {
            // A crash after writing this item but before saving the continuation: keep what is there.
            var existing = await _ctx.Retry.ExecuteAsync(async ct => await _ctx.Ledger.GetWorkItemAsync(_ctx.RunId, itemId, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                if (existing.Status != WorkStatus.Done)
                {
                    _ctx.Queue.Track(existing, claimable: true);
                }

                return;
            }
        }

        var stored = await _ctx.Retry.ExecuteAsync(async ct => await _ctx.Ledger.AddWorkItemAsync(item, rows, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        _ctx.Queue.Track(stored, claimable: true);
    }
}

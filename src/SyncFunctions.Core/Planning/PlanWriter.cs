using SyncFunctions.Abstractions;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Core.Planning;

/// <summary>
/// Turns planned actions into work items: up to 100 small actions per item, one item per large file (with its chunk
/// ranges when it fans out), deletes in items of their own, folder moves in items of their own in the order they were
/// added (<see cref="WorkItemKind.FolderMoves"/>: they run first, one item after the other). Item ids are sequence numbers.
/// </summary>
/// <remarks>
/// Rows are written insert-only, actions before their item row. When an item id is taken already (a duplicate
/// observer, or one that crashed after writing), what is there is kept and its item row completed from its actions;
/// <see cref="ConflictMode"/> says whether planning then goes on (a deterministic plan: the same rows) or stops the
/// unit so the next one adopts the items found (a listing, which may have changed in between).
/// </remarks>
internal sealed class PlanWriter
{
    private readonly StepContext _ctx;
    private readonly List<ActionRecord> _small = new(WorkItemShapes.BatchSize);
    private readonly List<ActionRecord> _deletes = new(WorkItemShapes.BatchSize);
    private readonly List<ActionRecord> _folderMoves = [];
    private readonly List<WorkItemTicket> _written = [];
    private readonly Func<WorkItemTicket, CancellationToken, ValueTask>? _itemWritten;
    private readonly ConflictMode _onConflict;
    private int _itemNo;
    private int _savedItemNo;

    public PlanWriter(StepContext ctx, ConflictMode onConflict, Func<WorkItemTicket, CancellationToken, ValueTask>? itemWritten, int firstItem, PlanTotals totals)
    {
        _ctx = ctx;
        _onConflict = onConflict;
        _itemWritten = itemWritten;
        _itemNo = firstItem;
        _savedItemNo = ctx.Run.WorkItemCount;
        Actions = totals.Actions;
        Bytes = totals.Bytes;
        PlannedDeletes = totals.Deletes;
    }

    public enum ConflictMode
    {
        /// <summary>The plan is deterministic: an item found is the one this writer would write; go on.</summary>
        KeepAndContinue,

        /// <summary>The plan may differ: stop the unit (<see cref="PlanContendedException"/>); the next unit adopts what is there.</summary>
        Stop,
    }

    public long Actions { get; private set; }
    public long Bytes { get; private set; }
    public long PlannedDeletes { get; private set; }
    public int ItemCount => _itemNo;
    public bool BatchFull => _small.Count >= WorkItemShapes.BatchSize;

    /// <summary>The items this writer wrote or kept (for the step's result).</summary>
    public IReadOnlyList<WorkItemTicket> Written => _written;

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
            if (_deletes.Count >= WorkItemShapes.BatchSize)
            {
                await WriteItemAsync(_deletes, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (action.Kind == ActionKind.MoveFolder)
        {
            _folderMoves.Add(action);
            if (_folderMoves.Count >= WorkItemShapes.BatchSize)
            {
                await WriteItemAsync(_folderMoves, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        Bytes += action.Kind == ActionKind.Upload ? action.SourceSize : 0;
        if (action.Kind == ActionKind.Upload && action.SourceSize > _ctx.Options.ChunkSize)
        {
            await WriteItemAsync([action], cancellationToken).ConfigureAwait(false);
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
        Reason = a?.Reason,
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

    /// <summary>Writes every buffered action and records on the run how far the plan got (with CAS: a unit that lost the run row to another stops).</summary>
    public async Task FlushAsync(string? continuation, CancellationToken cancellationToken)
    {
        await WriteBufferedAsync(cancellationToken).ConfigureAwait(false);
        if (_itemNo == _savedItemNo && (continuation is null || continuation == _ctx.Run.ObserveContinuation))
        {
            return; // nothing new to record
        }

        var expected = _savedItemNo;
        await _ctx.UpdateRunAsync(
            r => r.WorkItemCount != expected ? throw new PlanContendedException(_ctx.RunId) : r with
            {
                ObserveContinuation = continuation ?? r.ObserveContinuation,
                WorkItemCount = _itemNo,
                TotalActions = Actions,
                TotalBytes = Bytes,
                PlannedDeletes = PlannedDeletes,
            },
            cancellationToken).ConfigureAwait(false);
        _savedItemNo = _itemNo;
    }

    /// <summary>Marks observation done and applies the delete guard to the whole plan.</summary>
    public async Task FinishAsync(long baselineCount, Func<RunRecord, RunRecord>? more, CancellationToken cancellationToken)
    {
        await WriteBufferedAsync(cancellationToken).ConfigureAwait(false);
        var decision = DeleteGuard.Decide(new PlanTotals(Actions, Bytes, PlannedDeletes, baselineCount), _ctx.Options.MaxDelete);
        if (decision.HoldBack)
        {
            Logs.DeletesHeldBack(_ctx.Log, PlannedDeletes, _ctx.Options.MaxDelete!.ToString(), baselineCount);
        }

        var mismatch = await PlanCheck.MismatchAsync(_ctx, cancellationToken).ConfigureAwait(false);
        var expected = _savedItemNo;
        await _ctx.UpdateRunAsync(
            r =>
            {
                if (r.ObserveDone)
                {
                    return null;
                }

                if (r.WorkItemCount != expected)
                {
                    throw new PlanContendedException(_ctx.RunId);
                }

                var done = r with
                {
                    ObserveDone = true,
                    ObserveContinuation = null,
                    WorkItemCount = _itemNo,
                    TotalActions = Actions,
                    TotalBytes = Bytes,
                    PlannedDeletes = PlannedDeletes,
                    BaselineCount = baselineCount,
                    DeletesHeldBack = decision.HoldBack,
                    HeldBackDeletes = decision.HoldBack ? PlannedDeletes : 0,
                };
                if (mismatch is not null)
                {
                    // Not the plan that was previewed: the run ends cancelled before anything of it executes.
                    done = done with { CancelRequested = true, Error = mismatch };
                }

                return more is null ? done : more(done);
            },
            cancellationToken).ConfigureAwait(false);
        Logs.ObserveFinished(_ctx.Log, Actions, Bytes, PlannedDeletes);
    }

    private async Task WriteBufferedAsync(CancellationToken cancellationToken)
    {
        if (_folderMoves.Count > 0)
        {
            await WriteItemAsync(_folderMoves, cancellationToken).ConfigureAwait(false);
        }

        if (_small.Count > 0)
        {
            await WriteItemAsync(_small, cancellationToken).ConfigureAwait(false);
        }

        if (_deletes.Count > 0)
        {
            await WriteItemAsync(_deletes, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteItemAsync(List<ActionRecord> actions, CancellationToken cancellationToken)
    {
        var itemId = WorkItemShapes.ItemId(_itemNo);
        var rows = actions.Select((a, i) => a with { ItemId = itemId, ActionId = i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        actions.Clear();
        _itemNo++;
        var inserted = await _ctx.Ledger.TryInsertActionsAsync(rows, cancellationToken).ConfigureAwait(false);
        if (!inserted)
        {
            // Taken: keep what is there, and make sure its item row exists (derived from those actions).
            rows = [.. await _ctx.Ledger.GetActionsAsync(_ctx.RunId, itemId, cancellationToken).ConfigureAwait(false)];
        }

        var item = WorkItemShapes.ItemFor(_ctx.RunId, itemId, rows, _ctx);
        var ranges = item.RangeCount > 0 ? WorkItemShapes.RangesOf(item, rows[0], _ctx) : [];
        foreach (var range in ranges)
        {
            await _ctx.Ledger.TryInsertWorkItemAsync(range, cancellationToken).ConfigureAwait(false);
        }

        var stored = await _ctx.Ledger.TryInsertWorkItemAsync(item, cancellationToken).ConfigureAwait(false);
        if (!inserted && _onConflict == ConflictMode.Stop)
        {
            throw new PlanContendedException(_ctx.RunId);
        }

        if (stored is null && _onConflict == ConflictMode.Stop)
        {
            throw new PlanContendedException(_ctx.RunId);
        }

        await NoteAsync(WorkItemTicket.Of(item), cancellationToken).ConfigureAwait(false);
        foreach (var range in ranges)
        {
            await NoteAsync(WorkItemTicket.Of(range), cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask NoteAsync(WorkItemTicket ticket, CancellationToken cancellationToken)
    {
        if (_written.Count < _ctx.Settings.MaxClaimableListed)
        {
            _written.Add(ticket);
        }

        if (_itemWritten is not null)
        {
            await _itemWritten(ticket, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Another observer wrote (or is writing) the same part of the plan: this unit stops; the next one continues from what is there.</summary>
internal sealed class PlanContendedException : Exception
{
    public PlanContendedException(string runId)
        : base($"run {runId}: another observer planned this part of the run")
    {
    }
}

using SyncFunctions.Abstractions;
using SyncFunctions.Core.Planning;

namespace SyncFunctions.Core.Engine;

/// <summary>
/// Observe + plan: marches the source listing against the baseline and the destination listing and writes
/// the plan as work items, streaming. Saves a continuation after every flush so an interrupted observation
/// resumes after the last written path; item ids are sequence numbers, so a re-planned page writes the same rows.
/// </summary>
internal sealed class Observer(RunContext ctx)
{
    private const int BatchSize = 100;
    private readonly List<ActionRecord> _small = new(BatchSize);
    private readonly List<ActionRecord> _deletes = new(BatchSize);
    private int _itemNo;
    private long _actions;
    private long _bytes;
    private long _plannedDeletes;
    private long _baselineCount;
    private bool _resumed;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var run = ctx.Run;
        var continuation = run.ObserveContinuation;
        _itemNo = run.WorkItemCount;
        _actions = run.TotalActions;
        _bytes = run.TotalBytes;
        _plannedDeletes = run.PlannedDeletes;
        _resumed = continuation is not null || _itemNo > 0;

        var plan = Planner.PlanAsync(
            ctx.Source.ListAsync(cancellationToken),
            CountBaseline(ctx.Ledger.ListBaselineAsync(ctx.PairId, cancellationToken)),
            ListDestinationAsync(cancellationToken),
            cancellationToken);

        string? last = null;
        await foreach (var step in plan.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var path = step.Action?.Path ?? step.Skipped!.Path;
            if (continuation is not null && string.CompareOrdinal(path, continuation) <= 0)
            {
                continue;
            }

            last = path;
            await AddAsync(step, path, cancellationToken).ConfigureAwait(false);
            if (_small.Count >= BatchSize)
            {
                await FlushAsync(last, cancellationToken).ConfigureAwait(false);
            }
        }

        await FlushAsync(last, cancellationToken).ConfigureAwait(false);
        await FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task AddAsync(PlanItem step, string path, CancellationToken cancellationToken)
    {
        if (step.Skipped is { } skipped)
        {
            _small.Add(NewAction(_small.Count, ActionKind.Upload, path, null) with
            {
                Status = ActionStatus.Skipped,
                LastError = skipped.Reason,
            });
            _actions++;
            return;
        }

        var a = step.Action!;
        _actions++;
        if (a.Kind == ActionKind.Delete)
        {
            _plannedDeletes++;
            _deletes.Add(NewAction(_deletes.Count, a.Kind, path, a));
            if (_deletes.Count >= BatchSize)
            {
                await WriteItemAsync(WorkItemKind.Deletes, _deletes, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        _bytes += a.Kind == ActionKind.Upload ? a.Source!.Size : 0;
        if (a.Kind == ActionKind.Upload && a.Source!.Size > ctx.Options.ChunkSize)
        {
            await WriteItemAsync(WorkItemKind.LargeFile, [NewAction(0, a.Kind, path, a)], cancellationToken).ConfigureAwait(false);
            return;
        }

        _small.Add(NewAction(_small.Count, a.Kind, path, a));
    }

    private ActionRecord NewAction(int index, ActionKind kind, string path, PlannedAction? a) => new()
    {
        RunId = ctx.RunId,
        ItemId = ItemId(_itemNo),
        ActionId = index.ToString("D3", System.Globalization.CultureInfo.InvariantCulture),
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

    private static string ItemId(int n) => n.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    private async Task FlushAsync(string? lastPath, CancellationToken cancellationToken)
    {
        if (_small.Count > 0)
        {
            await WriteItemAsync(WorkItemKind.SmallBatch, _small, cancellationToken).ConfigureAwait(false);
        }

        if (_deletes.Count > 0)
        {
            await WriteItemAsync(WorkItemKind.Deletes, _deletes, cancellationToken).ConfigureAwait(false);
        }

        if (lastPath is null)
        {
            return;
        }

        await ctx.UpdateRunAsync(
            r => r with
            {
                ObserveContinuation = lastPath,
                WorkItemCount = _itemNo,
                TotalActions = _actions,
                TotalBytes = _bytes,
                PlannedDeletes = _plannedDeletes,
            },
            cancellationToken).ConfigureAwait(false);
        ctx.ReportProgress("observe");
    }

    private async Task WriteItemAsync(WorkItemKind kind, List<ActionRecord> actions, CancellationToken cancellationToken)
    {
        var itemId = ItemId(_itemNo);

        // Actions were numbered as they were buffered; items are numbered as they are written.
        var rows = actions.Select((a, i) => a with { ItemId = itemId, ActionId = i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        actions.Clear();
        _itemNo++;
        var item = new WorkItemRecord
        {
            RunId = ctx.RunId,
            ItemId = itemId,
            Kind = kind,
            ActionCount = rows.Count,
            TotalBytes = rows.Where(r => r.Kind == ActionKind.Upload && r.Status == ActionStatus.Pending).Sum(r => r.SourceSize),
        };

        if (_resumed)
        {
            // A crash after writing this item but before saving the continuation: keep what is there,
            // it may already be claimed or done.
            var existing = await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.GetWorkItemAsync(ctx.RunId, itemId, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                if (existing.Status != WorkStatus.Done)
                {
                    ctx.Queue.Track(existing, claimable: true);
                }

                return;
            }
        }

        var stored = await ctx.Retry.ExecuteAsync(async ct => await ctx.Ledger.AddWorkItemAsync(item, rows, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        ctx.Queue.Track(stored, claimable: true);
    }

    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        var limit = ctx.Options.MaxDelete;
        var held = limit is not null && !limit.Allows(_plannedDeletes, _baselineCount);
        if (held)
        {
            Logs.DeletesHeldBack(ctx.Log, _plannedDeletes, limit!.ToString(), _baselineCount);
        }

        await ctx.UpdateRunAsync(
            r => r with
            {
                ObserveDone = true,
                ObserveContinuation = null,
                WorkItemCount = _itemNo,
                TotalActions = _actions,
                TotalBytes = _bytes,
                PlannedDeletes = _plannedDeletes,
                BaselineCount = _baselineCount,
                DeletesHeldBack = held,
                HeldBackDeletes = held ? _plannedDeletes : 0,
            },
            cancellationToken).ConfigureAwait(false);
        Logs.ObserveFinished(ctx.Log, _actions, _bytes, _plannedDeletes);
        ctx.Queue.Pulse();
    }

    private async IAsyncEnumerable<BaselineEntry> CountBaseline(IAsyncEnumerable<BaselineEntry> rows)
    {
        await foreach (var row in rows.ConfigureAwait(false))
        {
            _baselineCount++;
            yield return row;
        }
    }

    /// <summary>The destination listing; a destination container or folder that does not exist yet is empty.</summary>
    private async IAsyncEnumerable<ListingEntry> ListDestinationAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var e = ctx.Destination.ListAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await e.MoveNextAsync().ConfigureAwait(false);
                }
                catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound)
                {
                    yield break;
                }

                if (!more)
                {
                    yield break;
                }

                yield return e.Current;
            }
        }
        finally
        {
            await e.DisposeAsync().ConfigureAwait(false);
        }
    }
}

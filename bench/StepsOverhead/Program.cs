using System.Diagnostics;
using System.Globalization;
using SyncFunctions.Abstractions;
using SyncFunctions.Core.InProcess;
using SyncFunctions.Core.Protocol;
using SyncFunctions.Tests.Fakes;

// Usage: StepsOverhead [FILES] [PARALLEL]
// Syncs FILES empty files (work items of 100) from an in-memory store to another through the in-process driver,
// with the in-memory ledger: what is timed is the steps, the dispatcher and the plan/complete bookkeeping, no I/O.
var files = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var parallel = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;

for (var attempt = 0; attempt < 3; attempt++)
{
    var source = new InMemoryObjectStore();
    for (var i = 0; i < files; i++)
    {
        source.Put(string.Create(CultureInfo.InvariantCulture, $"d{i / 1000:D3}/f{i:D6}"), []);
    }

    var destination = new InMemoryObjectStore();
    var ledger = new InMemoryLedger();
    var pair = new PairRecord("bench", "memory:src", "memory:dst");
    var driver = InProcessDriver.WithRetries(ledger, source, destination, new EngineEnvironment(TimeProvider.System, new OwnerIdentity("bench", Environment.ProcessId, DateTimeOffset.UtcNow), new Unknown()));
    var watch = Stopwatch.StartNew();
    var summary = await driver.SyncAsync(pair, new SyncOptions { Parallel = parallel }, default);
    watch.Stop();
    if (summary.Outcome != RunOutcome.Succeeded || destination.Paths.Count != files)
    {
        Console.Error.WriteLine($"run did not succeed: {summary.Outcome}, {destination.Paths.Count} of {files} files");
        return 1;
    }

    var items = (files + 99) / 100;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"attempt {attempt + 1}: {files} files, {items} work items in {watch.Elapsed.TotalSeconds:F3} s: {items / watch.Elapsed.TotalSeconds:F0} work items/s, {files / watch.Elapsed.TotalSeconds:F0} files/s"));
}

return 0;

internal sealed class Unknown : IOwnerLiveness
{
    public bool? IsAlive(string host, int pid, DateTimeOffset started) => null;
}

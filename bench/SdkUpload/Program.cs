using System.Globalization;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

// bench/run.sh drives this tool; see docs/benchmarks.md. Commands:
//   seed DIR COUNT MIN_BYTES MAX_BYTES SEED   deterministic files (sizes and bytes from the seed)
//   upload DIR CONNECTION CONTAINER PARALLEL [BLOCK_BYTES]
//                                             the SDK ceiling: BlobClient.UploadAsync(path, overwrite), default options;
//                                             with BLOCK_BYTES: staged blocks of that size, 4 per file in flight (a reference
//                                             with the transfer shape syncfn and rclone use for large files)
//   count CONNECTION CONTAINER                prints "BLOBS BYTES" of the container
//   rows CONNECTION TABLE [PARTITION]         prints the number of rows of the table (of one partition)
return args.Length > 0 ? args[0] switch
{
    "seed" when args.Length == 6 => Seed(args[1], Int(args[2]), Long(args[3]), Long(args[4]), Int(args[5])),
    "upload" when args.Length is 5 or 6 => await UploadAsync(args[1], args[2], args[3], Int(args[4]), args.Length == 6 ? Int(args[5]) : null),
    "count" when args.Length == 3 => await CountAsync(args[1], args[2]),
    "rows" when args.Length is 3 or 4 => await RowsAsync(args[1], args[2], args.Length == 4 ? args[3] : null),
    _ => Usage(),
} : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: SdkUpload seed DIR COUNT MIN_BYTES MAX_BYTES SEED | upload DIR CONNECTION CONTAINER PARALLEL [BLOCK_BYTES] | count CONNECTION CONTAINER | rows CONNECTION TABLE [PARTITION]");
    return 2;
}

static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

static long Long(string s) => long.Parse(s, CultureInfo.InvariantCulture);

// Files spread over a few folders (a real tree, not one flat directory); a seeded Random is deterministic
// across runs and machines, so every benchmark run uploads the same bytes.
static int Seed(string dir, int count, long minBytes, long maxBytes, int seed)
{
    var random = new Random(seed);
    var buffer = new byte[1024 * 1024];
    for (var i = 0; i < count; i++)
    {
        var folder = Path.Combine(dir, $"d{i % 20:D2}");
        Directory.CreateDirectory(folder);
        var size = minBytes == maxBytes ? minBytes : random.NextInt64(minBytes, maxBytes + 1);
        using var file = File.Create(Path.Combine(folder, $"f{i:D5}.bin"));
        for (var left = size; left > 0; left -= buffer.Length)
        {
            var n = (int)Math.Min(left, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, n));
            file.Write(buffer, 0, n);
        }
    }

    return 0;
}

static async Task<int> UploadAsync(string dir, string connection, string containerName, int parallel, int? blockBytes)
{
    var staged = blockBytes is { } b
        ? new BlobUploadOptions { TransferOptions = new StorageTransferOptions { InitialTransferSize = b, MaximumTransferSize = b, MaximumConcurrency = 4 } }
        : null;
    var container = new BlobContainerClient(connection, containerName);
    await container.CreateIfNotExistsAsync();
    var root = Path.GetFullPath(dir);
    var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories);
    var options = new ParallelOptions { MaxDegreeOfParallelism = parallel };
    var uploaded = 0;
    await Parallel.ForEachAsync(files, options, async (path, ct) =>
    {
        var name = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
        var blob = container.GetBlobClient(name);
        if (staged is null)
        {
            await blob.UploadAsync(path, overwrite: true, ct);
        }
        else
        {
            await blob.UploadAsync(path, staged, ct);
        }

        Interlocked.Increment(ref uploaded);
    });
    Console.WriteLine(uploaded.ToString(CultureInfo.InvariantCulture));
    return 0;
}

static async Task<int> CountAsync(string connection, string containerName)
{
    var container = new BlobContainerClient(connection, containerName);
    long blobs = 0, bytes = 0;
    await foreach (var blob in container.GetBlobsAsync())
    {
        blobs++;
        bytes += blob.Properties.ContentLength ?? 0;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{blobs} {bytes}"));
    return 0;
}

static async Task<int> RowsAsync(string connection, string tableName, string? partition)
{
    var table = new Azure.Data.Tables.TableClient(connection, tableName);
    var filter = partition is null ? null : Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
    long rows = 0;
    await foreach (var _ in table.QueryAsync<Azure.Data.Tables.TableEntity>(filter, select: ["PartitionKey"]))
    {
        rows++;
    }

    Console.WriteLine(rows.ToString(CultureInfo.InvariantCulture));
    return 0;
}

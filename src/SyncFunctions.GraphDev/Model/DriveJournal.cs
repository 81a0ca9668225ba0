using SyncFunctions.Abstractions.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SyncFunctions.GraphDev.Model;

/// <summary>
/// Append-only JSON-lines journal of a drive kept in a data folder (<c>DATA/drive.journal</c>): a
/// header with the drive id, then one record per change (the item's full state after it), seedings
/// (their parameters only: generated content is regenerated) and token invalidations. Replaying it
/// in order rebuilds the drive with the same ids, sequences and eTags, so deltaLinks issued before a
/// restart stay valid. Not thread-safe: the drive calls it under its lock.
/// </summary>
internal sealed class DriveJournal : IDisposable
{
    public const string FileName = "drive.journal";

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    private readonly StreamWriter _writer;

    private DriveJournal(StreamWriter writer)
    {
        _writer = writer;
    }

    /// <summary>Opens (creating if needed) the journal and returns the records already in it.</summary>
    public static DriveJournal Open(string dataDir, out List<JournalRecord> existing)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, FileName);
        existing = [];
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    existing.Add(JsonSerializer.Deserialize<JournalRecord>(line, Json)!);
                }
                catch (JsonException)
                {
                    break; // a torn last line after a crash: everything before it is intact
                }
            }
        }

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new DriveJournal(new StreamWriter(stream) { AutoFlush = true });
    }

    public void AppendHeader(string driveId, DateTimeOffset created) =>
        Write(new JournalRecord { Type = "header", DriveId = driveId, At = created });

    public void AppendEpoch(int epoch) => Write(new JournalRecord { Type = "epoch", Epoch = epoch });

    public void AppendSeed(SeedSpec spec, ulong counter) =>
        Write(new JournalRecord { Type = "seed", Seed = spec, Counter = counter });

    public void AppendItem(ItemState item, ulong counter) => Write(new JournalRecord
    {
        Type = "item",
        Id = item.Id,
        ParentId = item.ParentId,
        Name = item.Name,
        Folder = item.IsFolder,
        Seq = item.Seq,
        ContentSeq = item.ContentSeq,
        Created = item.Created,
        Modified = item.Modified,
        FsCreated = item.FsCreated,
        FsModified = item.FsModified,
        Deleted = item.Deleted,
        Counter = counter,
        Blob = BlobRecord.From(item.Content),
    });

    public void Dispose() => _writer.Dispose();

    private void Write(JournalRecord record) => _writer.WriteLine(JsonSerializer.Serialize(record, Json));
}

/// <summary>One journal line (a union of the record kinds; unused fields are omitted).</summary>
internal sealed class JournalRecord
{
    [JsonPropertyName("t")]
    public string Type { get; set; } = "";

    public string? DriveId { get; set; }

    public DateTimeOffset? At { get; set; }

    public int? Epoch { get; set; }

    public SeedSpec? Seed { get; set; }

    public string? Id { get; set; }

    public string? ParentId { get; set; }

    public string? Name { get; set; }

    public bool Folder { get; set; }

    public long Seq { get; set; }

    public long ContentSeq { get; set; }

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Modified { get; set; }

    public DateTimeOffset FsCreated { get; set; }

    public DateTimeOffset FsModified { get; set; }

    public bool Deleted { get; set; }

    public ulong Counter { get; set; }

    public BlobRecord? Blob { get; set; }
}

/// <summary>How to find an item's content again: generated (key, length) or a file under DATA/content.</summary>
internal sealed class BlobRecord
{
    public string Kind { get; set; } = "";

    public ulong Key { get; set; }

    public long Length { get; set; }

    public string? File { get; set; }

    public string? QuickXor { get; set; }

    public string? Sha1 { get; set; }

    public string? Sha256 { get; set; }

    public static BlobRecord? From(ContentBlob? blob) => blob switch
    {
        null => null,
        GeneratedBlob generated => new BlobRecord { Kind = "gen", Key = generated.Key, Length = generated.Length },
        FileBlob file => new BlobRecord
        {
            Kind = "file",
            File = Path.GetFileName(file.Path),
            Length = file.Length,
            QuickXor = file.HashesKnown ? file.Hashes.QuickXorHash : null,
            Sha1 = file.HashesKnown ? file.Hashes.Sha1Hash : null,
            Sha256 = file.HashesKnown ? file.Hashes.Sha256Hash : null,
        },
        _ => throw new InvalidOperationException("In-memory content cannot be journaled."),
    };
}

using System.Security.Cryptography;
using SyncFunctions.GraphDev.Model;

namespace SyncFunctions.GraphDev;

/// <summary>Creating a drive: fresh (optionally seeded) or rebuilt from a data folder's journal.</summary>
public sealed partial class GraphDevDrive
{
    internal static GraphDevDrive Open(GraphDevOptions options)
    {
        var store = new ContentStore(options.DataDir);
        var now = options.TimeProvider.GetUtcNow();
        if (options.DataDir is null)
        {
            return CreateNew(options, options.DriveId ?? NewDriveId(), store, journal: null, now);
        }

        var journal = DriveJournal.Open(options.DataDir, out var records);
        try
        {
            if (records.Count == 0 || records[0].Type != "header")
            {
                var driveId = options.DriveId ?? NewDriveId();
                journal.AppendHeader(driveId, now);
                return CreateNew(options, driveId, store, journal, now);
            }

            var existingId = records[0].DriveId!;
            if (options.DriveId is { } wanted && wanted != existingId)
            {
                throw new InvalidOperationException(
                    $"The data folder holds drive {existingId}, not {wanted}.");
            }

            var drive = new GraphDevDrive(options, existingId, store, journal);
            drive.Replay(records.Skip(1));
            return drive;
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    private static GraphDevDrive CreateNew(
        GraphDevOptions options, string driveId, ContentStore store, DriveJournal? journal, DateTimeOffset now)
    {
        var drive = new GraphDevDrive(options, driveId, store, journal);
        drive.CreateRoot(now);
        if (options.SeedFiles > 0)
        {
            drive.Seed(options.SeedFiles, options.Seed, options.SeedFilesPerFolder, options.SeedMaxFileSize);
        }

        return drive;
    }

    /// <summary>"b!" plus 22 URL-safe random characters, the shape of a OneDrive for Business drive id.</summary>
    private static string NewDriveId()
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return "b!" + RandomNumberGenerator.GetString(Alphabet, 22);
    }

    private void Replay(IEnumerable<JournalRecord> records)
    {
        var files = new Dictionary<string, FileBlob>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var record in records)
            {
                switch (record.Type)
                {
                    case "epoch":
                        _epoch = record.Epoch ?? _epoch;
                        break;
                    case "seed":
                        SeedLocked(record.Seed!);
                        _idCounter = Math.Max(_idCounter, record.Counter);
                        break;
                    case "item":
                        ReplayItem(record, files);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private void ReplayItem(JournalRecord record, Dictionary<string, FileBlob> files)
    {
        var state = new ItemState(
            record.Id!, record.ParentId, record.Name!, record.Folder, ReplayBlob(record.Blob, files), record.Seq,
            record.ContentSeq, record.Created, record.Modified, record.FsCreated, record.FsModified, record.Deleted);
        _items.TryGetValue(state.Id, out var previous);
        _seq = Math.Max(_seq, state.Seq);
        _idCounter = Math.Max(_idCounter, record.Counter);
        Commit(state, previous, journal: false);
        if (state.Deleted && previous is { Deleted: false })
        {
            _tombstones.Enqueue(new Tombstone(state.Seq, state.Id, state.Modified));
        }
    }

    private ContentBlob? ReplayBlob(BlobRecord? record, Dictionary<string, FileBlob> files)
    {
        switch (record)
        {
            case null:
                return null;
            case { Kind: "gen" }:
                return new GeneratedBlob(record.Key, record.Length);
            default:
                if (!files.TryGetValue(record.File!, out var blob))
                {
                    var hashes = record.QuickXor is null ? null : new ContentHashes(record.QuickXor, record.Sha1!, record.Sha256!);
                    blob = _contentStore.Existing(record.File!, record.Length, hashes);
                    files[record.File!] = blob;
                }

                return blob;
        }
    }
}

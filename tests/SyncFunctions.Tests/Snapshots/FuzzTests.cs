using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using SyncFunctions.Core.Snapshots.Format;

namespace SyncFunctions.Tests.Snapshots;

/// <summary>
/// Random and mutated bytes through every decoder: each either decodes or throws
/// <see cref="RepositoryFormatException"/>, never anything else (no index, JSON, overflow or zstd exceptions).
/// Ids are computed from the bytes, so the decoders get past the hash check to the parsing.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Goldens =
        ["pack-v1.bin", "index-v1.zst", "tree-v1.zst", "snapshot-v1.json", "head-v1.json", "config-v1.json", "index-v1.json", "tree-v1.json"];

    /// <summary>Random bytes, some starting like a pack, a zstd frame or a v1 JSON document.</summary>
    private static readonly Gen<byte[]> RandomBytes = Gen.Select(
        Gen.OneOf(Gen.Const(Array.Empty<byte>()), Gen.Const("SFPK\u0001"u8.ToArray()), Gen.Const(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }), Gen.Const("{\"version\":1,"u8.ToArray())),
        Gen.Byte.Array[0, 400],
        (prefix, rest) => (byte[])[.. prefix, .. rest]);

    [Fact]
    public void EveryDecoder_RandomBytes_DecodesOrThrowsOnlyTheFormatException() =>
        RandomBytes.Sample(DecodeEverything, iter: 5000);

    [Fact]
    public void EveryDecoder_MutatedGoldenFiles_DecodesOrThrowsOnlyTheFormatException()
    {
        foreach (var golden in Goldens)
        {
            var bytes = GoldenFiles.Read(golden);
            Mutations(bytes).Sample(mutated =>
            {
                DecodeEverything(mutated);
                if (golden.EndsWith(".json", StringComparison.Ordinal))
                {
                    // Past zstd: the JSON readers of the compressed formats see the mutated JSON itself.
                    Tolerate(() => PackIndex.FromCanonicalJson("index", mutated));
                    Tolerate(() => TreeManifest.FromCanonicalJson("tree", mutated));
                }
            }, iter: 500);
        }
    }

    [Fact]
    public void PackReader_MutatedFootersWithValidChecksums_DecodesOrThrowsOnlyTheFormatException()
    {
        var pack = GoldenFiles.Read("pack-v1.bin");
        var footerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(pack.AsSpan(pack.Length - 8));
        var start = pack.Length - PackFormat.TrailerLength - footerLength;

        Gen.Select(Gen.Int[start, start + footerLength - 1], Gen.Byte, Gen.Int[0, 3]).Array[1, 4].Sample(changes =>
        {
            var copy = pack.ToArray();
            foreach (var (at, value, width) in changes)
            {
                copy.AsSpan(at, Math.Min(width + 1, start + footerLength - at)).Fill(value);
            }

            SHA256.HashData(copy.AsSpan(start, footerLength)).CopyTo(copy, pack.Length - PackFormat.TrailerLength);
            DecodeEverything(copy);
        }, iter: 2000);
    }

    private static Gen<byte[]> Mutations(byte[] original) =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, Math.Max(0, original.Length - 1)], Gen.Byte, Gen.Int[1, 16]).Array[1, 3].Select(ops =>
        {
            var bytes = original.ToList();
            foreach (var (op, position, value, length) in ops)
            {
                var at = Math.Min(position, Math.Max(0, bytes.Count - 1));
                switch (op)
                {
                    case 0 when bytes.Count > 0:
                        bytes[at] ^= (byte)(1 << (value % 8));
                        break;
                    case 1 when bytes.Count > 0:
                        bytes[at] = value;
                        break;
                    case 2:
                        bytes.RemoveRange(at, bytes.Count - at);
                        break;
                    case 3:
                        bytes.RemoveRange(at, Math.Min(length, bytes.Count - at));
                        break;
                    case 4:
                        bytes.InsertRange(at, Enumerable.Repeat(value, length));
                        break;
                    default:
                        bytes.InsertRange(at, bytes.Skip(at).Take(length).ToList());
                        break;
                }
            }

            return bytes.ToArray();
        });

    private static void DecodeEverything(byte[] bytes)
    {
        var id = ObjectId.Of(bytes);
        Tolerate(() =>
        {
            var pack = PackReader.Open(id, bytes);
            foreach (var entry in pack.Entries)
            {
                Tolerate(() => pack.ReadChunk(entry.ChunkId));
            }
        });
        if (bytes.Length >= PackFormat.TrailerLength)
        {
            Tolerate(() =>
            {
                PackReader.FooterReadLength(id, bytes.Length, bytes);
                var pack = PackReader.FromTail(id, bytes.Length, bytes);
                foreach (var entry in pack.Entries)
                {
                    Tolerate(() => pack.DecodeChunk(entry, bytes.AsSpan((int)entry.Offset, entry.StoredLength)));
                }
            });
        }

        Tolerate(() => PackIndex.Decode(id, bytes));
        Tolerate(() => TreeManifest.Decode(id, bytes));
        Tolerate(() => SnapshotRecord.Decode(id, bytes));
        Tolerate(() => SnapshotHead.Decode(FormatExamples.PairId, bytes));
        Tolerate(() => RepositoryConfig.Decode(bytes));
    }

    /// <summary>Runs a decoder; a format exception is an expected outcome, anything else fails the property.</summary>
    private static void Tolerate(Action decode)
    {
        try
        {
            decode();
        }
        catch (RepositoryFormatException)
        {
        }
    }
}

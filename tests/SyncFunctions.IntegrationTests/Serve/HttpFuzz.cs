using System.Text;
using System.Text.Json;

namespace SyncFunctions.IntegrationTests.Serve;

/// <summary>One generated request of <see cref="HttpFuzz"/>.</summary>
/// <param name="Method">GET, POST, DELETE, OPTIONS, PUT or PATCH.</param>
/// <param name="Path">The path and query, relative to the base URL.</param>
/// <param name="Body">The body, or null for none.</param>
/// <param name="ContentType">The Content-Type header, or null for none.</param>
/// <param name="Key">The key sent as x-functions-key (or ?code=), or null for none.</param>
/// <param name="Headers">Further headers.</param>
internal sealed record FuzzRequest(string Method, string Path, byte[]? Body, string? ContentType, string? Key, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public override string ToString() =>
        $"{Method} {Path} key={(Key is null ? "none" : Key.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))} type={ContentType} body={Body?.Length}: " +
        (Body is null ? "" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 300)));
}

/// <summary>
/// A seeded generator of requests against the serve API: the routes with random names and ids (valid, malformed,
/// traversal, encoded, over-long), bodies built from the request schemas with wrong types, byte-level mutations of
/// valid bodies, deep nesting, over-size and invalid UTF-8, random content types, missing or wrong keys.
/// </summary>
internal sealed class HttpFuzz(int seed, string key, Func<Random, string> validSource, Func<Random, string> validDestination)
{
    private static readonly string[] Names =
    [
        "docs", "a", "x-1", "..", "../etc", "a/b", "%2e%2e%2f", "name with space", "UPPER", "ünï", new string('n', 64), new string('n', 63),
        "-lead", "trail.", "a..b", "%00", "<script>", "'; drop table", "\u202e", "😀",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "text/plain", "application/xml", "application/json; charset=utf-16",
        "multipart/form-data; boundary=x", "application/cloudevents+json", "application/cloudevents-batch+json", "", ";;;",
    ];

    private static readonly string[] PairFields = ["name", "source", "destination", "schedule", "subscribe", "options"];

    private static readonly string[] OptionFields = ["chunkSize", "parallel", "force", "maxDelete"];

    /// <summary>The request of index <paramref name="index"/> (the same for the same seed and index).</summary>
    public FuzzRequest Next(int index)
    {
        var random = new Random(unchecked((seed * 1_000_003) + index));
        var keyChoice = random.Next(20);
        var requestKey = keyChoice switch
        {
            0 => null,
            1 => key + "x",
            2 => key[..^1],
            _ => key,
        };
        var headers = new List<KeyValuePair<string, string>>();
        if (random.Next(8) == 0)
        {
            headers.Add(new("WebHook-Request-Origin", Pick(random, ["eventgrid.azure.net", "", new string('o', 3000), "a b\tc"])));
        }

        if (random.Next(10) == 0)
        {
            headers.Add(new("aeg-event-type", Pick(random, ["SubscriptionValidation", "Notification", "x"])));
        }

        var contentType = random.Next(6) == 0 ? null : Pick(random, ContentTypes);
        return random.Next(18) switch
        {
            0 => new("GET", "api/pairs", null, null, requestKey, headers),
            1 or 2 or 3 => new("POST", "api/pairs", PairBody(random), random.Next(4) == 0 ? contentType : "application/json", requestKey, headers),
            4 => new("GET", "api/pairs/" + Segment(random), null, null, requestKey, headers),
            5 => new("DELETE", "api/pairs/" + Segment(random), null, null, requestKey, headers),
            6 => new("POST", $"api/pairs/{Segment(random)}/runs", random.Next(3) == 0 ? PairBody(random) : null, contentType, requestKey, headers),
            7 => new("GET", $"api/runs?pair={Uri.EscapeDataString(Pick(random, Names))}&top={Pick(random, ["1", "0", "-5", "99999999999", "x", "50"])}", null, null, requestKey, headers),
            8 => new("GET", "api/runs/" + RunId(random), null, null, requestKey, headers),
            9 => new("POST", $"api/runs/{RunId(random)}/terminate", null, null, requestKey, headers),
            10 => new("GET", $"api/runs/{RunId(random)}/events", null, null, requestKey, headers),
            11 => new("POST", "api/webhooks/graph" + (random.Next(3) == 0 ? "?validationToken=" + Uri.EscapeDataString(Token(random)) : ""), NotificationBody(random), contentType, requestKey, headers),
            12 => new(Pick(random, ["POST", "OPTIONS"]), "api/webhooks/blob-events", EventBody(random), contentType, requestKey, headers),
            13 => new("POST", $"api/pairs/{Segment(random)}/plan", random.Next(3) == 0 ? PairBody(random) : null, contentType, requestKey, headers),
            14 => new("POST", $"api/plans/{PlanId(random)}/apply", random.Next(3) == 0 ? Bytes(random, 64) : null, contentType, requestKey, headers),
            15 => new("POST", $"api/maintenance/{Pick(random, ["gc", "compact"])}?wait={Pick(random, ["0", "-1", "x", "999", "0"])}", MaintenanceBody(random), contentType, requestKey, headers),
            16 => new("GET", random.Next(2) == 0 ? "api/stats" : "api/maintenance/runs/" + Pick(random, ["maintenance-gc-" + Hex(random, 8), RunId(random)]), null, null, requestKey, headers),
            _ => new(Pick(random, ["PUT", "PATCH", "GET", "DELETE", "OPTIONS"]), Pick(random, ["api", "api/", "api/pairs/a/b/c", "api/plans/x/apply", "api/%2e%2e/x", "x", "api/runs/"]), Bytes(random, 64), contentType, requestKey, headers),
        };
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    private static string Segment(Random random) => random.Next(3) switch
    {
        0 => Uri.EscapeDataString(Pick(random, Names)),
        1 => Pick(random, Names).Replace("/", "%2F", StringComparison.Ordinal),
        _ => "p" + random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string RunId(Random random) => random.Next(4) switch
    {
        0 => "20260101T000000-" + random.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
        1 => Uri.EscapeDataString(Pick(random, Names)),
        2 => new string('r', random.Next(100, 400)),
        _ => Uri.EscapeDataString(Token(random)),
    };

    private static string PlanId(Random random) => random.Next(4) switch
    {
        0 => Hex(random, 32),
        1 => Hex(random, 32).ToUpperInvariant(),
        2 => new string('a', random.Next(0, 80)),
        _ => Uri.EscapeDataString(Token(random)),
    };

    /// <summary>Maintenance bodies: mostly refused ones; a valid one is a dry run (it starts an orchestration that changes nothing).</summary>
    private static byte[]? MaintenanceBody(Random random) => random.Next(9) switch
    {
        0 => null,
        1 => "{\"dryRun\":true}"u8.ToArray(),
        2 => "{\"dryRun\":\"yes\"}"u8.ToArray(),
        3 => "{\"dryRun\":true,\"max\":0}"u8.ToArray(),
        4 => "{\"dryRun\":true,\"max\":-5}"u8.ToArray(),
        5 => "{\"dryRun\":true,\"repository\":\"repo:nope\"}"u8.ToArray(),
        6 => "{\"dryRun\":true,\"extra\":1}"u8.ToArray(),
        7 => "[]"u8.ToArray(),
        _ => Bytes(random, 64),
    };

    private static string Hex(Random random, int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => "0123456789abcdef"[random.Next(16)]));

    private static string Token(Random random)
    {
        var chars = new char[random.Next(0, 40)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(1, 0x300);
        }

        return new string(chars);
    }

    private byte[] PairBody(Random random)
    {
        switch (random.Next(8))
        {
            case 0:
                return Bytes(random, 512);
            case 1:
                return Encoding.UTF8.GetBytes(new string('[', random.Next(60, 3000)) + new string(']', random.Next(0, 3000)));
            case 2:
                return Encoding.UTF8.GetBytes("{\"name\":\"" + new string('n', random.Next(60_000, 90_000)) + "\"}");
            case 3:
                return Mutate(random, Valid(random));
            default:
                var body = new Dictionary<string, object?>();
                foreach (var field in PairFields.Where(_ => random.Next(3) > 0))
                {
                    body[field] = field switch
                    {
                        "name" => Pick(random, Names),
                        "source" => random.Next(3) == 0 ? Value(random, 0) : validSource(random),
                        "destination" => random.Next(3) == 0 ? Value(random, 0) : validDestination(random),
                        "options" => random.Next(2) == 0 ? Value(random, 0) : OptionFields.Where(_ => random.Next(2) == 0).ToDictionary(f => f, _ => Value(random, 2)),
                        _ => Value(random, 0),
                    };
                }

                if (random.Next(10) == 0)
                {
                    body[Token(random)] = Value(random, 0);
                }

                return JsonSerializer.SerializeToUtf8Bytes(body);
        }
    }

    private byte[] Valid(Random random) =>
        JsonSerializer.SerializeToUtf8Bytes(new { name = "v" + random.Next(50), source = validSource(random), destination = validDestination(random), schedule = "0 0 * * * *", options = new { parallel = 4 } });

    private static byte[] NotificationBody(Random random) => random.Next(4) switch
    {
        0 => Bytes(random, 256),
        1 => [],
        2 => Mutate(random, Encoding.UTF8.GetBytes(
            "{\"value\":[{\"subscriptionId\":\"" + Guid.NewGuid() + "\",\"clientState\":\"" + Token(random).Replace("\"", "", StringComparison.Ordinal) +
            "\",\"changeType\":\"updated\",\"resource\":\"drives/d1/root\",\"tenantId\":\"" + Guid.NewGuid() + "\",\"lifecycleEvent\":\"" +
            Pick(random, ["reauthorizationRequired", "subscriptionRemoved", "missed", "x"]) + "\"}]}")),
        _ => JsonSerializer.SerializeToUtf8Bytes(new { value = Enumerable.Range(0, random.Next(0, 5)).Select(_ => new Dictionary<string, object?> { ["subscriptionId"] = Value(random, 1), ["clientState"] = Value(random, 1), ["lifecycleEvent"] = Value(random, 1) }) }),
    };

    private static byte[] EventBody(Random random)
    {
        var blobUrl = "http://127.0.0.1:10000/devstoreaccount1/" + Pick(random, ["c", "no-such", "UPPER", ""]) + "/" + Pick(random, ["a.txt", "../x", "%2e%2e/y", "d/e", ""]);
        object one = random.Next(2) == 0
            ? new Dictionary<string, object?>
            {
                ["id"] = Guid.NewGuid().ToString(), ["eventType"] = Pick(random, ["Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobDeleted", "Microsoft.EventGrid.SubscriptionValidationEvent", "x"]),
                ["subject"] = "/blobServices/default/containers/c/blobs/a.txt", ["eventTime"] = Pick(random, ["2026-01-01T00:00:00Z", "yesterday"]),
                ["data"] = random.Next(3) == 0 ? Value(random, 0) : new Dictionary<string, object?> { ["url"] = blobUrl, ["validationCode"] = Value(random, 2) },
                ["dataVersion"] = "", ["topic"] = Value(random, 2),
            }
            : new Dictionary<string, object?>
            {
                ["specversion"] = Pick(random, ["1.0", "0.3", ""]), ["id"] = Value(random, 2), ["source"] = Value(random, 2),
                ["type"] = Pick(random, ["Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobDeleted", "y"]), ["subject"] = Value(random, 2),
                ["data"] = new Dictionary<string, object?> { ["url"] = random.Next(4) == 0 ? Value(random, 1) : blobUrl },
            };
        return random.Next(4) switch
        {
            0 => Bytes(random, 256),
            1 => Mutate(random, JsonSerializer.SerializeToUtf8Bytes(new[] { one })),
            2 => JsonSerializer.SerializeToUtf8Bytes(one),
            _ => JsonSerializer.SerializeToUtf8Bytes(Enumerable.Repeat(one, random.Next(0, 4))),
        };
    }

    private static object? Value(Random random, int depth) => random.Next(depth > 2 ? 6 : 9) switch
    {
        0 => null,
        1 => random.Next(2) == 0,
        2 => random.NextInt64(long.MinValue, long.MaxValue),
        3 => random.NextDouble() * 1e300,
        4 => Token(random),
        5 => Pick(random, ["", "0 */5 * * * *", "*/5 * * * *", "99%", "-1", "blob:", "local:", "graph:", "blob:x/../y", "C:\\x", "/etc/passwd", "\0"]),
        6 => Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(random, depth + 1)).ToArray(),
        _ => Enumerable.Range(0, random.Next(0, 4)).ToDictionary(i => Token(random) + i.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => Value(random, depth + 1)),
    };

    private static byte[] Bytes(Random random, int max)
    {
        var bytes = new byte[random.Next(0, max)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = new List<byte>(valid);
        for (var n = random.Next(1, 6); n > 0 && bytes.Count > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }
}

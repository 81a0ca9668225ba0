using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json;
using SyncFunctions.Core.Protocol;

namespace SyncFunctions.Cli.Output;

/// <summary>
/// The machine-readable output of <c>--json</c>: exactly one JSON object on stdout, camelCase, enums as
/// strings, always with an <c>exitCode</c> member.
/// </summary>
internal static class JsonOutput
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,

        // Output goes to a terminal or a pipe, never into HTML: keep paths readable (no \uXXXX for 'é' or '+').
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The run summary plus <c>exitCode</c>.</summary>
    public static string Summary(RunSummary summary, int exitCode)
    {
        var node = JsonSerializer.SerializeToNode(summary, Options)!.AsObject();
        node["exitCode"] = exitCode;
        return node.ToJsonString(Options);
    }

    /// <summary>Any other result object plus <c>exitCode</c>.</summary>
    public static string Of<T>(T value, int exitCode)
    {
        var node = JsonSerializer.SerializeToNode(value, Options) as JsonObject ?? [];
        node["exitCode"] = exitCode;
        return node.ToJsonString(Options);
    }

    /// <summary>An error before any result exists (usage or fatal error).</summary>
    public static string Error(string message, int exitCode)
    {
        var node = new JsonObject { ["error"] = message, ["exitCode"] = exitCode };
        return node.ToJsonString(Options);
    }
}

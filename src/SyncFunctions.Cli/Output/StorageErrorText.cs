using SyncFunctions.Abstractions;

namespace SyncFunctions.Cli.Output;

/// <summary>A storage error that ended a command, in words for people (never the name of its kind).</summary>
internal static class StorageErrorText
{
    /// <summary>What went wrong, then the adapter's message (which names the operation and, for network failures, host:port and the cause).</summary>
    public static string Describe(StorageException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var what = error.Kind switch
        {
            StorageErrorKind.Authentication => "authentication failed",
            StorageErrorKind.Unreachable => "unreachable",
            StorageErrorKind.Transient => "storage error (temporary)",
            StorageErrorKind.Throttled => "throttled by the service",
            StorageErrorKind.NotFound => "not found",
            StorageErrorKind.PreconditionFailed => "changed concurrently",
            StorageErrorKind.InvalidName => "invalid name",
            StorageErrorKind.ResyncRequired => "the change feed must be read again",
            _ => "storage error",
        };
        return $"{what}: {error.Message}";
    }
}

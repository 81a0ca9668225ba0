namespace SyncFunctions.Cli.Commands;

/// <summary>A usage error: bad arguments, found before any storage was touched (exit 2).</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>A fatal error that ends the command with a clear message (exit 3, or <see cref="ExitCode"/>).</summary>
internal sealed class FatalException : Exception
{
    /// <summary>The exit code it ends the command with: 3, or a more specific one (e.g. <see cref="ExitCodes.Conflict"/>).</summary>
    public int ExitCode { get; init; } = ExitCodes.Fatal;

    public FatalException(string message)
        : base(message)
    {
    }

    public FatalException()
    {
    }

    public FatalException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

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

/// <summary>A fatal error that ends the command with a clear message (exit 3).</summary>
internal sealed class FatalException : Exception
{
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

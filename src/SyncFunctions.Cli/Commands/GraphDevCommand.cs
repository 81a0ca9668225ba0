using System.CommandLine;
using SyncFunctions.Cli.Hosting;
using SyncFunctions.GraphDev;

namespace SyncFunctions.Cli.Commands;

/// <summary>
/// <c>syncfn graph-dev [--port PORT] [--data DIR] [--seed-files N]</c>: the loopback Microsoft Graph drive server
/// in the foreground, so drive sync can be tried (and scripted) without a tenant.
/// </summary>
/// <remarks>
/// Command-line contract (scripts rely on it): once listening, exactly one line
/// <c>graph-dev listening on http://127.0.0.1:PORT/v1.0 drive DRIVE_ID</c> is printed on stdout and flushed; the
/// server then runs until SIGINT or SIGTERM and exits 0 after a clean stop.
/// </remarks>
internal static class GraphDevCommand
{
    public static Command Create(StopSignals signals)
    {
        var port = new Option<int>("--port")
        {
            Description = "Port of the Graph API on 127.0.0.1, 0..65535 (default 0: a free port; the line printed names it).",
            DefaultValueFactory = _ => 0,
            HelpName = "PORT",
        };
        var data = new Option<string?>("--data")
        {
            Description = "Folder that keeps the drive (journal and content) across restarts (default: in memory only).",
            HelpName = "DIR",
        };
        var seed = new Option<int>("--seed-files")
        {
            Description = "Generated files to seed a new drive with (tNNNN/sN/fileNNNNNN.bin; ignored when --data already holds a drive).",
            DefaultValueFactory = _ => 0,
            HelpName = "N",
        };
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "graph-dev",
            "Run a loopback Microsoft Graph drive server (one drive) until Ctrl-C. Prints one line " +
            "'graph-dev listening on http://127.0.0.1:PORT/v1.0 drive DRIVE_ID'; point syncfn at it with --graph-url.")
        {
            port, data, seed, verbose,
        };
        command.SetAction((r, ct) => CommandHost.RunAsync(signals, json: false, r.GetValue(verbose), ct, (host, interrupt) =>
        {
            var options = Validate(r.GetValue(port), r.GetValue(data), r.GetValue(seed), Environment.CurrentDirectory);
            return ServeAsync(options, host, interrupt);
        }));
        return command;
    }

    /// <summary>Checks the options before anything listens; throws <see cref="UsageException"/>.</summary>
    public static GraphDevOptions Validate(int port, string? dataDirectory, int seedFiles, string baseDirectory)
    {
        if (port is < 0 or > 65535)
        {
            throw new UsageException($"--port: {port} is not a port number (0..65535; 0 picks a free port)");
        }

        if (seedFiles < 0)
        {
            throw new UsageException($"--seed-files: {seedFiles} is negative");
        }

        string? data = null;
        if (dataDirectory is not null)
        {
            if (string.IsNullOrWhiteSpace(dataDirectory))
            {
                throw new UsageException("--data: the folder is empty");
            }

            data = Path.GetFullPath(dataDirectory, baseDirectory);
            if (File.Exists(data))
            {
                throw new UsageException($"--data: '{data}' is a file, not a folder");
            }
        }

        return new GraphDevOptions { Port = port, DataDir = data, SeedFiles = seedFiles };
    }

    private static async Task<int> ServeAsync(GraphDevOptions options, CommandHost host, CancellationToken interrupt)
    {
        host.StoppingNote = "stopping the Graph dev server";
        if (host.Verbose)
        {
            options.LoggerFactory = host.LoggerFactory;
        }

        if (options.DataDir is not null)
        {
            Directory.CreateDirectory(options.DataDir);
        }

        GraphDevServer server;
        try
        {
            server = await GraphDevServer.StartAsync(options, interrupt).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or GraphDevException or InvalidOperationException or UnauthorizedAccessException)
        {
            var where = options.Port == 0 ? "a free port" : $"port {options.Port}";
            throw new FatalException($"cannot start the Graph dev server on {where}{(options.DataDir is null ? "" : $" with data in '{options.DataDir}'")}: {e.Message}", e);
        }

        await using (server.ConfigureAwait(false))
        {
            // The one line scripts wait for; flushed at once because stdout may be a pipe.
            await Console.Out.WriteLineAsync(server.ListeningMessage).ConfigureAwait(false);
            await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, host.Time, interrupt).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
            {
                // Ctrl-C / SIGTERM: the clean way to stop this server.
            }
        }

        return ExitCodes.Ok;
    }
}

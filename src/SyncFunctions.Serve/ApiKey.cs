using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SyncFunctions.Serve;

/// <summary>
/// The key every API request of <c>serve</c> carries, passed as Azure Functions keys are (header
/// <c>x-functions-key</c> or query parameter <c>code</c>), so one client works against both hosts.
/// </summary>
public sealed class ApiKey
{
    /// <summary>The environment variable that sets the key.</summary>
    public const string EnvironmentVariable = "SYNCFN_API_KEY";

    /// <summary>The file in the state folder holding the generated key.</summary>
    public const string FileName = "serve-api-key";

    private readonly byte[] _hash;

    public ApiKey(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>The key.</summary>
    public string Value { get; }

    /// <summary>
    /// <c>$SYNCFN_API_KEY</c>, else the key kept in <paramref name="stateDirectory"/>, generated (256 random bits,
    /// file readable by the owner only) on first use.
    /// </summary>
    public static ApiKey Load(string stateDirectory)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new ApiKey(fromEnvironment.Trim());
        }

        Directory.CreateDirectory(stateDirectory);
        var path = Path.Combine(stateDirectory, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } stored)
        {
            return new ApiKey(stored);
        }

        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var temporary = path + "." + Environment.ProcessId + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(temporary, Encoding.ASCII, options))
        {
            file.Write(generated);
        }

        try
        {
            // Two first starts at once: the first file wins and both use it.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return new ApiKey(File.ReadAllText(path).Trim());
        }

        return new ApiKey(generated);
    }

    /// <summary>The request carries this key (compared in constant time, whatever its length).</summary>
    public bool Admits(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return given is not null && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(given)));
    }
}

using System.Diagnostics.CodeAnalysis;
using Azure.Core;
using AzureResponse = Azure.Response;

namespace SyncFunctions.IntegrationTests.Azure;

/// <summary>A minimal SDK response for classifying exceptions without a server.</summary>
internal sealed class FakeResponse(int status, params (string Name, string Value)[] headers) : AzureResponse
{
    public override int Status => status;

    public override string ReasonPhrase => "fake";

    public override Stream? ContentStream { get; set; }

    public override string ClientRequestId { get; set; } = "fake";

    public override void Dispose()
    {
    }

    protected override bool ContainsHeader(string name) => headers.Any(h => Matches(h.Name, name));

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Name, h.Value));

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
    {
        value = headers.Where(h => Matches(h.Name, name)).Select(h => h.Value).FirstOrDefault();
        return value is not null;
    }

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        var found = headers.Where(h => Matches(h.Name, name)).Select(h => h.Value).ToList();
        values = found.Count > 0 ? found : null;
        return values is not null;
    }

    private static bool Matches(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

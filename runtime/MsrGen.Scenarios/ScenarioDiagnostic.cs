using System.Globalization;

namespace MsrGen.Scenarios;

/// <summary>An error in a scenario file, located at the token that caused it.</summary>
public sealed record ScenarioDiagnostic(string Path, int Line, int Column, string Message)
{
    /// <summary>
    /// The tool failed, not the file: an unexpected exception while the file ran. Printed as
    /// <c>internal error</c> so that it is never mistaken for bad input.
    /// </summary>
    public bool Internal { get; init; }

    /// <summary>More detail for <c>--verbose</c> (an internal error's stack trace), or null.</summary>
    public string? Detail { get; init; }

    /// <summary>The form the CLI prints: <c>PATH:LINE:COLUMN: error: MESSAGE</c> (or <c>internal error:</c>).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Path}:{Line}:{Column}: {(Internal ? "internal error" : "error")}: {Message}");
}

using System.Globalization;

namespace MsrGen.Scenarios;

/// <summary>An error in a scenario file, located at the token that caused it.</summary>
public sealed record ScenarioDiagnostic(string Path, int Line, int Column, string Message)
{
    /// <summary>The form the CLI prints: <c>PATH:LINE:COLUMN: error: MESSAGE</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Path}:{Line}:{Column}: error: {Message}");
}

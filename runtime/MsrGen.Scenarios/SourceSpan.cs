using System.Globalization;

namespace MsrGen.Scenarios;

/// <summary>A 1-based position in a scenario file. Columns count Unicode code points.</summary>
public readonly record struct SourceSpan(int Line, int Column)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Line}:{Column}");
}

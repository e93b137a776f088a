using System;
using System.IO;

namespace MsrGen.Runtime.Reporting;

/// <summary>Writes a report section's chart next to the report and says where it went.</summary>
public static class ReportCharts
{
    /// <summary>
    /// Writes <paramref name="svg"/> as <paramref name="fileName"/> in <paramref name="directory"/>
    /// and prints the path; a directory that cannot be written costs the chart, never the report.
    /// </summary>
    public static void Write(TextWriter writer, string directory, string fileName, string svg)
    {
        ArgumentNullException.ThrowIfNull(writer);
        string path = Path.Combine(directory, fileName);
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, svg);
            writer.WriteLine($"chart: {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            writer.WriteLine($"chart not written ({e.Message})");
        }
    }
}

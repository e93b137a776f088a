using System;
using System.IO;

namespace MsrGen.Runtime.Reporting;

/// <summary>Writes a report section's chart next to the report.</summary>
public static class ReportCharts
{
    /// <summary>
    /// Writes <paramref name="chart"/> into <paramref name="directory"/> and returns its path, or
    /// null with <paramref name="problem"/> set: a directory that cannot be written costs the
    /// chart, never the report.
    /// </summary>
    public static string? Write(string directory, ReportChart chart, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(chart);
        string path = Path.Combine(directory, chart.FileName);
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, chart.Svg);
            problem = null;
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = e.Message;
            return null;
        }
    }
}

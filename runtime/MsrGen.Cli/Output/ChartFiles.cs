using System.Collections.Generic;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Cli.Output;

/// <summary>Writes each chart once into the chart directory and remembers where it went (or why it did not).</summary>
internal sealed class ChartFiles
{
    private readonly string _directory;
    private readonly Dictionary<string, (string? Path, string? Problem)> _written = new(System.StringComparer.Ordinal);

    public ChartFiles(string directory) => _directory = directory;

    public (string? Path, string? Problem) Write(ReportChart chart)
    {
        if (!_written.TryGetValue(chart.FileName, out var result))
        {
            string? path = ReportCharts.Write(_directory, chart, out string? problem);
            result = (path, problem);
            _written[chart.FileName] = result;
        }

        return result;
    }
}

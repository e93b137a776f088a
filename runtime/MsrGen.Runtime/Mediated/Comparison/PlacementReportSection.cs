using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Runtime.Mediated.Comparison;

/// <summary>
/// The default report's placement comparison: the table, and the chart written next to the
/// report as <c>mediated-placements.svg</c> in the report's chart directory.
/// </summary>
internal sealed class PlacementReportSection : IReportSection
{
    public const string ChartFileName = "mediated-placements.svg";

    public int Order => 300;

    public string Title => "Mediated vPMU: switch placements vs the legacy vPMU";

    public void Write(ReportContext context, TextWriter writer)
    {
        WriteTo(writer, context.ChartDirectory);
    }

    /// <summary>The table, the checks against published numbers, and the chart written into <paramref name="directory"/>.</summary>
    public static void WriteTo(TextWriter writer, string directory)
    {
        var table = PlacementComparison.Run();
        WriteTable(table, writer);
        writer.WriteLine();
        writer.WriteLine("checks against published numbers (sources in docs/sources.md):");
        foreach (var check in AnchorChecks.Run())
        {
            string published = check.PublishedLow == check.PublishedHigh ? F(check.PublishedLow, "0") : $"{F(check.PublishedLow, "0")}-{F(check.PublishedHigh, "0")}";
            writer.WriteLine($"  {check.Source}: {check.Quantity}: modeled {F(check.Modeled, "0")}, published {published} (x{F(check.Ratio, "0.00")})");
        }

        ReportCharts.Write(writer, directory, ChartFileName, PlacementChart.Svg(table));
    }

    public static void WriteTable(ComparisonTable table, TextWriter writer)
    {
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"host: {table.Host.Vendor} PMU v{table.Host.Version}, {table.Host.GpCounters} GP + {table.Host.FixedCounters} fixed; {table.Milliseconds} simulated ms per workload"));
        var header = new[] { "workload", "design", "exits", "switches", "ops/switch", "ops/exit", "cycles/exit", "overhead %", "guest acc %", "host acc %", "host blind %" };
        var rows = new List<string[]>();
        foreach (var r in table.Rows)
        {
            rows.Add(new[]
            {
                PlacementComparison.WorkloadName(r.Workload), r.Design, N(r.Exits), N(r.Switches),
                r.Switches == 0 ? "-" : F(r.MsrOpsPerSwitch), F(r.MsrOpsPerExit), F(r.CyclesPerExit, "0"),
                F(r.OverheadPercent, "0.00"), F(r.GuestAccuracyPercent, "0.00"), F(r.HostAccuracyPercent, "0.0"), F(r.HostBlindPercent, "0.0"),
            });
        }

        TextTable.Write(writer, header, rows);
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double v, string format = "0.0") => v.ToString(format, CultureInfo.InvariantCulture);
}

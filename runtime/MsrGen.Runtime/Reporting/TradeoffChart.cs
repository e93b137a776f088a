using System;
using System.Linq;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// The headline as a chart: per workload and design, the guest's overhead against what it buys
/// (guest count accuracy) and what it costs the host (host perf blind time), one measure per panel.
/// </summary>
public static class TradeoffChart
{
    public const string FileName = "tradeoffs.svg";

    public const string Title = "vPMU designs: guest overhead against guest count accuracy and host perf visibility";

    public static ChartSpec Spec(HeadlineTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var workloads = table.Workloads;
        var designs = table.Designs;
        double Value(string workload, string design, Func<HeadlineRow, double> measure) =>
            table.Rows.FirstOrDefault(r => r.Workload == workload && r.Design == design) is { } row ? measure(row) : double.NaN;
        ChartPanel Panel(string title, Func<HeadlineRow, double> measure) => new(
            title,
            workloads.Select(w => (System.Collections.Generic.IReadOnlyList<double>)designs.Select(d => Value(w, d, measure)).ToList()).ToList(),
            ColumnFormat.Percent);
        return new ChartSpec(
            Title,
            workloads,
            designs.Select((d, i) => new ChartSeries(d, SvgChart.Palette[i % SvgChart.Palette.Count])).ToList(),
            new[]
            {
                Panel("guest overhead (%), lower is better", r => r.OverheadPercent),
                Panel("guest count accuracy (%), higher is better", r => r.GuestAccuracyPercent),
                Panel("host perf blind (%), lower is better", r => r.HostBlindPercent),
            },
            "Modelled: " + table.Title + ".");
    }

    public static string Svg(HeadlineTable table) => SvgChart.Render(Spec(table));
}

using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Runtime.Comparisons;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// The LBR comparison as a chart: per workload, one bar per strategy in three panels, host cost
/// per vCPU switch, host branch entries leaked into the guest's stack, and guest entries lost.
/// Drawn with the report's one chart helper (<see cref="SvgChart"/>): every value printed, a zero
/// still visible as a stub, byte-identical output per input.
/// </summary>
public static class LbrChart
{
    public const string Title = "Guest LBR strategies: host cost per vCPU switch, host entries leaked, guest entries lost";

    public static ChartSpec Spec(IReadOnlyList<LbrComparisonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var workloads = LbrComparison.Workloads.Where(w => rows.Any(r => r.Workload == w)).ToList();
        var strategies = LbrComparison.Strategies.Where(s => rows.Any(r => r.Strategy == s)).ToList();
        ChartPanel Panel(string title, Func<LbrComparisonRow, double> measure, ColumnFormat format) => new(
            title,
            workloads.Select(w => (IReadOnlyList<double>)strategies.Select(s =>
                rows.FirstOrDefault(r => r.Workload == w && r.Strategy == s) is { } row ? measure(row) : double.NaN).ToList()).ToList(),
            format);
        return new ChartSpec(
            Title,
            workloads.Select(LbrWorkloads.NameOf).ToList(),
            strategies.Select((s, i) => new ChartSeries(LbrStrategy.NameOf(s), SvgChart.Palette[(i + 2) % SvgChart.Palette.Count])).ToList(),
            new[]
            {
                Panel("host cost (cycles/switch)", r => r.CyclesPerSwitch, ColumnFormat.Integer),
                Panel("host entries leaked (entries)", r => r.PollutedEntries, ColumnFormat.Integer),
                Panel("guest entries lost (entries)", r => r.LostEntries, ColumnFormat.Integer),
            },
            "Leaked: host branches the guest read as its own. Lost: guest branches missing from the stack it read.");
    }

    public static string Render(IReadOnlyList<LbrComparisonRow> rows) => SvgChart.Render(Spec(rows));
}

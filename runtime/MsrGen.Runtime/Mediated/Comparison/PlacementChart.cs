using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MsrGen.Runtime.Mediated.Comparison;

/// <summary>
/// The comparison as an SVG bar chart, written by hand so the bytes depend only on the table:
/// per workload, one bar per design for modeled host cycles per VM-exit (log scale) and a dot for
/// physical MSR operations per exit.
/// </summary>
public static class PlacementChart
{
    private const int Width = 980, PanelHeight = 260, Left = 70, Top = 40, BarWidth = 16, GroupGap = 36;
    private static readonly string[] Palette = { "#7f7f7f", "#d62728", "#1f77b4", "#ff7f0e", "#9467bd", "#2ca02c" };

    public static string Svg(ComparisonTable table)
    {
        var designs = table.Rows.Select(r => r.Design).Distinct().ToList();
        var workloads = table.Rows.Select(r => r.Workload).Distinct().ToList();
        double maxCycles = Math.Max(10, table.Rows.Max(r => r.CyclesPerExit));
        double decades = Math.Ceiling(Math.Log10(maxCycles));
        int height = Top + PanelHeight + 60 + 18 * designs.Count;
        var sb = new StringBuilder();
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Width).Append("\" height=\"").Append(height)
          .Append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        Text(sb, Left, 20, "Mediated vPMU placements vs legacy: modeled host cycles per VM-exit (bars, log scale), physical MSR ops per exit (dots)", 13);
        for (int d = 0; d <= decades; d++)
        {
            double y = Top + PanelHeight - PanelHeight * d / decades;
            sb.Append("<line x1=\"").Append(Left).Append("\" x2=\"").Append(Width - 10).Append("\" y1=\"").Append(F(y)).Append("\" y2=\"").Append(F(y))
              .Append("\" stroke=\"#ddd\"/>\n");
            Text(sb, 8, y + 4, "1e" + d.ToString(CultureInfo.InvariantCulture), 10);
        }

        double x = Left + 10;
        foreach (var workload in workloads)
        {
            double groupStart = x;
            for (int d = 0; d < designs.Count; d++)
            {
                var row = table.Rows.FirstOrDefault(r => r.Workload == workload && r.Design == designs[d]);
                if (row is null)
                {
                    continue;
                }

                double h = PanelHeight * Math.Log10(Math.Max(1, row.CyclesPerExit)) / decades;
                sb.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(Top + PanelHeight - h)).Append("\" width=\"").Append(BarWidth)
                  .Append("\" height=\"").Append(F(h)).Append("\" fill=\"").Append(Palette[d % Palette.Length]).Append("\"><title>")
                  .Append(Escape(row.Design)).Append(": ").Append(F(row.CyclesPerExit)).Append(" cycles/exit, ").Append(F(row.MsrOpsPerExit))
                  .Append(" MSR ops/exit</title></rect>\n");
                double dotY = Top + PanelHeight - PanelHeight * Math.Log10(Math.Max(1, row.MsrOpsPerExit)) / decades;
                sb.Append("<circle cx=\"").Append(F(x + BarWidth / 2.0)).Append("\" cy=\"").Append(F(dotY)).Append("\" r=\"3\" fill=\"black\"/>\n");
                x += BarWidth + 2;
            }

            Text(sb, groupStart, Top + PanelHeight + 16, ShortName(workload), 10);
            x += GroupGap;
        }

        for (int d = 0; d < designs.Count; d++)
        {
            double y = Top + PanelHeight + 40 + 18 * d;
            sb.Append("<rect x=\"").Append(Left).Append("\" y=\"").Append(F(y - 10)).Append("\" width=\"12\" height=\"12\" fill=\"")
              .Append(Palette[d % Palette.Length]).Append("\"/>\n");
            Text(sb, Left + 18, y, designs[d], 11);
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string ShortName(ComparisonWorkload workload) => workload switch
    {
        ComparisonWorkload.PerfStat => "perf stat",
        ComparisonWorkload.PerfRecord => "perf record -F 1000",
        ComparisonWorkload.Multiplex => "multiplexing",
        ComparisonWorkload.IdleGuestBusyHost => "idle guest, busy host",
        _ => workload.ToString(),
    };

    private static void Text(StringBuilder sb, double x, double y, string text, int size) =>
        sb.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" font-size=\"").Append(size).Append("\">")
          .Append(Escape(text)).Append("</text>\n");

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}

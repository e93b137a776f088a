using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MsrGen.Runtime.Lbr;

/// <summary>
/// A small, self-contained SVG of the comparison: per workload, one bar per strategy for the
/// modeled cycles per vCPU switch; a red outline and a "P" mark a strategy whose guest read
/// polluted entries. Plain SVG 1.1, invariant formatting, so the output is byte-identical per input.
/// </summary>
public static class LbrChart
{
    private const int Width = 820;
    private const int Height = 380;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 40;
    private const int Bottom = 70;

    private static readonly string[] Colors = ["#4e79a7", "#f28e2b", "#76b7b2", "#59a14f", "#9c755f", "#bab0ac"];

    public static string Render(IReadOnlyList<LbrComparisonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var workloads = LbrComparison.Workloads;
        var strategies = LbrComparison.Strategies;
        double max = 1;
        foreach (var row in rows)
        {
            max = Math.Max(max, row.CyclesPerSwitch);
        }

        double scaleMax = NiceCeiling(max);
        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        double groupWidth = plotWidth / workloads.Count;
        double barWidth = groupWidth * 0.8 / strategies.Count;

        var sb = new StringBuilder();
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Width).Append("\" height=\"").Append(Height)
          .Append("\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height).Append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append("<title>Guest LBR strategies: modeled cycles per vCPU switch (P = guest read host-written entries)</title>\n");
        sb.Append("<rect x=\"0\" y=\"0\" width=\"").Append(Width).Append("\" height=\"").Append(Height).Append("\" fill=\"white\"/>\n");
        sb.Append("<text x=\"").Append(Left).Append("\" y=\"20\" font-size=\"13\" font-weight=\"bold\">Modeled LBR cycles per vCPU switch (P: polluted stack read)</text>\n");

        for (int tick = 0; tick <= 4; tick++)
        {
            double value = scaleMax * tick / 4;
            double y = Top + plotHeight - plotHeight * tick / 4;
            sb.Append("<line x1=\"").Append(N(Left)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"").Append(N(Width - Right))
              .Append("\" y2=\"").Append(N(y)).Append("\" stroke=\"#dddddd\"/>\n");
            sb.Append("<text x=\"").Append(N(Left - 6)).Append("\" y=\"").Append(N(y + 4)).Append("\" text-anchor=\"end\">")
              .Append(N(value)).Append("</text>\n");
        }

        for (int w = 0; w < workloads.Count; w++)
        {
            double groupX = Left + w * groupWidth + groupWidth * 0.1;
            for (int s = 0; s < strategies.Count; s++)
            {
                var row = Find(rows, workloads[w], strategies[s]);
                if (row is null)
                {
                    continue;
                }

                double h = plotHeight * row.CyclesPerSwitch / scaleMax;
                double x = groupX + s * barWidth;
                double y = Top + plotHeight - h;
                sb.Append("<rect x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\" width=\"").Append(N(barWidth - 2))
                  .Append("\" height=\"").Append(N(h)).Append("\" fill=\"").Append(Colors[s]).Append('"');
                if (row.Polluted)
                {
                    sb.Append(" stroke=\"#d62728\" stroke-width=\"2\"");
                }

                sb.Append("/>\n");
                if (row.Polluted)
                {
                    sb.Append("<text x=\"").Append(N(x + (barWidth - 2) / 2)).Append("\" y=\"").Append(N(y - 4))
                      .Append("\" text-anchor=\"middle\" fill=\"#d62728\" font-weight=\"bold\">P</text>\n");
                }
            }

            sb.Append("<text x=\"").Append(N(Left + w * groupWidth + groupWidth / 2)).Append("\" y=\"").Append(N(Top + plotHeight + 16))
              .Append("\" text-anchor=\"middle\">").Append(Escape(LbrWorkloads.NameOf(workloads[w]))).Append("</text>\n");
        }

        sb.Append("<line x1=\"").Append(N(Left)).Append("\" y1=\"").Append(N(Top + plotHeight)).Append("\" x2=\"").Append(N(Width - Right))
          .Append("\" y2=\"").Append(N(Top + plotHeight)).Append("\" stroke=\"black\"/>\n");
        for (int s = 0; s < strategies.Count; s++)
        {
            double x = Left + s * 110;
            double y = Height - 22;
            sb.Append("<rect x=\"").Append(N(x)).Append("\" y=\"").Append(N(y - 9)).Append("\" width=\"10\" height=\"10\" fill=\"")
              .Append(Colors[s]).Append("\"/>\n");
            sb.Append("<text x=\"").Append(N(x + 14)).Append("\" y=\"").Append(N(y)).Append("\">")
              .Append(LbrStrategy.NameOf(strategies[s])).Append("</text>\n");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static LbrComparisonRow? Find(IReadOnlyList<LbrComparisonRow> rows, LbrWorkload workload, LbrStrategyKind strategy)
    {
        foreach (var row in rows)
        {
            if (row.Workload == workload && row.Strategy == strategy)
            {
                return row;
            }
        }

        return null;
    }

    private static double NiceCeiling(double value)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}

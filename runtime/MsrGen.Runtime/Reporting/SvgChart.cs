using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MsrGen.Runtime.Reporting;

/// <summary>One series of a chart (a design, a strategy) and its colour.</summary>
public sealed record ChartSeries(string Name, string Color);

/// <summary>
/// One measure, drawn on its own axis: <paramref name="AxisTitle"/> names it with its unit, and
/// <paramref name="Values"/>[group][series] holds its values (NaN: no value).
/// </summary>
public sealed record ChartPanel(string AxisTitle, IReadOnlyList<IReadOnlyList<double>> Values, ColumnFormat Format);

/// <summary>What to draw: groups down the side (workloads), one bar per series in each group, one panel per measure.</summary>
public sealed record ChartSpec(string Title, IReadOnlyList<string> Groups, IReadOnlyList<ChartSeries> Series, IReadOnlyList<ChartPanel> Panels, string? Footnote = null);

/// <summary>A piece of text placed on the chart, with the box it occupies.</summary>
public sealed record ChartText(double X, double Y, string Text, double FontSize, string Anchor, string Role, bool Bold = false)
{
    /// <summary>Width estimate of a sans-serif string: 0.6 em per character (wide enough for digits and capitals).</summary>
    public double Width => Text.Length * FontSize * 0.6;

    public double Left => Anchor switch { "end" => X - Width, "middle" => X - Width / 2, _ => X };

    public double Right => Left + Width;

    public double Top => Y - FontSize * 0.8;

    public double Bottom => Y + FontSize * 0.25;

    public bool Overlaps(ChartText other) =>
        Left < other.Right && other.Left < Right && Top < other.Bottom && other.Top < Bottom;
}

/// <summary>A bar: the rectangle, the series it belongs to, and its panel and group.</summary>
public sealed record ChartBar(double X, double Y, double Width, double Height, string Series, int Panel, int Group, double Value);

/// <summary>A straight line (axis, grid).</summary>
public sealed record ChartLine(double X1, double Y1, double X2, double Y2, string Stroke);

/// <summary>Every element of a chart with its coordinates: what the SVG is written from, and what tests measure.</summary>
public sealed record ChartLayout(double Width, double Height, IReadOnlyList<ChartText> Texts, IReadOnlyList<ChartBar> Bars, IReadOnlyList<ChartLine> Lines, IReadOnlyList<ChartSeries> Series);

/// <summary>
/// The one chart helper of the report: horizontal grouped bars, small multiples with one measure
/// per panel, the axis title (with unit) above each panel, the value printed at the end of every
/// bar, a legend with one entry per series. Hand-written SVG with no dependencies, so the bytes
/// depend only on the input.
/// </summary>
public static class SvgChart
{
    public static readonly IReadOnlyList<string> Palette = new[] { "#7f7f7f", "#d62728", "#1f77b4", "#ff7f0e", "#9467bd", "#2ca02c", "#8c564b", "#e377c2" };

    private const double Margin = 16, TitleSize = 15, LegendSize = 11, AxisSize = 12, LabelSize = 11, ValueSize = 10, TickSize = 10;
    private const double RowHeight = 16, BarHeight = 11, GroupHeader = 20, GroupGap = 6, PanelGap = 28, PanelBarWidth = 190;

    public static ChartLayout Layout(ChartSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var texts = new List<ChartText>();
        var bars = new List<ChartBar>();
        var lines = new List<ChartLine>();

        double labelWidth = Math.Max(
            spec.Groups.Select(g => Measure(g, LabelSize)).DefaultIfEmpty(0).Max(),
            spec.Series.Select(s => Measure(s.Name, LabelSize) + 12).DefaultIfEmpty(0).Max());
        double plotLeft = Margin + labelWidth + 10;

        // Each panel: bars up to PanelBarWidth, then room for the widest value label.
        var valueWidths = spec.Panels.Select(p => p.Values.SelectMany(v => v).Select(v => Measure(FormatValue(v, p.Format), ValueSize)).DefaultIfEmpty(0).Max()).ToList();
        var panelLefts = new List<double>();
        double x = plotLeft;
        for (int p = 0; p < spec.Panels.Count; p++)
        {
            panelLefts.Add(x);
            double span = Math.Max(PanelBarWidth + 4 + valueWidths[p], Measure(spec.Panels[p].AxisTitle, AxisSize));
            x += span + PanelGap;
        }

        double width = Math.Max(x - PanelGap + Margin, Margin * 2 + Measure(spec.Title, TitleSize));

        double y = Margin + TitleSize;
        texts.Add(new ChartText(Margin, y, spec.Title, TitleSize, "start", "title", Bold: true));

        // Legend: one swatch and name per series, wrapped to the width.
        y += 22;
        double lx = Margin;
        foreach (var (series, index) in spec.Series.Select((s, i) => (s, i)))
        {
            double entry = 14 + Measure(series.Name, LegendSize) + 16;
            if (lx + entry > width - Margin && lx > Margin)
            {
                lx = Margin;
                y += 18;
            }

            bars.Add(new ChartBar(lx, y - 9, 10, 10, series.Name, -1, -1, double.NaN));
            texts.Add(new ChartText(lx + 14, y, series.Name, LegendSize, "start", "legend"));
            lx += entry;
        }

        // Axis titles, one per panel.
        y += 26;
        for (int p = 0; p < spec.Panels.Count; p++)
        {
            texts.Add(new ChartText(panelLefts[p], y, spec.Panels[p].AxisTitle, AxisSize, "start", "axis-title", Bold: true));
        }

        double plotTop = y + 8;
        y = plotTop;
        var maxima = spec.Panels.Select(p => p.Values.SelectMany(v => v).Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max()).Select(m => m <= 0 ? 1 : m).ToList();
        for (int g = 0; g < spec.Groups.Count; g++)
        {
            y += GroupHeader;
            texts.Add(new ChartText(Margin, y - 5, spec.Groups[g], LabelSize, "start", "group", Bold: true));
            for (int s = 0; s < spec.Series.Count; s++)
            {
                double rowTop = y;
                texts.Add(new ChartText(plotLeft - 6, rowTop + BarHeight - 1, spec.Series[s].Name, LabelSize, "end", "series-label"));
                for (int p = 0; p < spec.Panels.Count; p++)
                {
                    var values = spec.Panels[p].Values;
                    double value = g < values.Count && s < values[g].Count ? values[g][s] : double.NaN;
                    if (double.IsNaN(value))
                    {
                        texts.Add(new ChartText(panelLefts[p] + 2, rowTop + BarHeight - 1, "n/a", ValueSize, "start", "value"));
                        continue;
                    }

                    // A zero still shows: a 1-pixel stub, and its value printed next to it.
                    double length = Math.Max(1, PanelBarWidth * value / maxima[p]);
                    bars.Add(new ChartBar(panelLefts[p], rowTop, length, BarHeight, spec.Series[s].Name, p, g, value));
                    texts.Add(new ChartText(panelLefts[p] + length + 4, rowTop + BarHeight - 1, FormatValue(value, spec.Panels[p].Format), ValueSize, "start", "value"));
                }

                y += RowHeight;
            }

            y += GroupGap;
        }

        double plotBottom = y;
        for (int p = 0; p < spec.Panels.Count; p++)
        {
            lines.Add(new ChartLine(panelLefts[p], plotTop, panelLefts[p], plotBottom, "#333"));
            lines.Add(new ChartLine(panelLefts[p], plotBottom, panelLefts[p] + PanelBarWidth, plotBottom, "#333"));
            lines.Add(new ChartLine(panelLefts[p] + PanelBarWidth, plotTop, panelLefts[p] + PanelBarWidth, plotBottom, "#ddd"));
            texts.Add(new ChartText(panelLefts[p], plotBottom + 14, "0", TickSize, "start", "tick"));
            texts.Add(new ChartText(panelLefts[p] + PanelBarWidth, plotBottom + 14, FormatValue(maxima[p], spec.Panels[p].Format), TickSize, "end", "tick"));
        }

        double height = plotBottom + 24;
        if (spec.Footnote is { Length: > 0 } footnote)
        {
            height += 14;
            texts.Add(new ChartText(Margin, height - 10, footnote, TickSize, "start", "footnote"));
            width = Math.Max(width, Margin * 2 + Measure(footnote, TickSize));
        }

        return new ChartLayout(Math.Ceiling(width), Math.Ceiling(height), texts, bars, lines, spec.Series);
    }

    public static string Render(ChartSpec spec) => Render(Layout(spec));

    public static string Render(ChartLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var colors = layout.Series.ToDictionary(s => s.Name, s => s.Color, StringComparer.Ordinal);
        var sb = new StringBuilder();
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(N(layout.Width)).Append("\" height=\"").Append(N(layout.Height))
          .Append("\" viewBox=\"0 0 ").Append(N(layout.Width)).Append(' ').Append(N(layout.Height)).Append("\" font-family=\"sans-serif\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        foreach (var line in layout.Lines)
        {
            sb.Append("<line x1=\"").Append(N(line.X1)).Append("\" y1=\"").Append(N(line.Y1)).Append("\" x2=\"").Append(N(line.X2)).Append("\" y2=\"").Append(N(line.Y2))
              .Append("\" stroke=\"").Append(line.Stroke).Append("\"/>\n");
        }

        foreach (var bar in layout.Bars)
        {
            sb.Append("<rect class=\"series\" data-series=\"").Append(Escape(bar.Series)).Append("\" x=\"").Append(N(bar.X)).Append("\" y=\"").Append(N(bar.Y))
              .Append("\" width=\"").Append(N(bar.Width)).Append("\" height=\"").Append(N(bar.Height)).Append("\" fill=\"").Append(colors[bar.Series]).Append("\"/>\n");
        }

        foreach (var text in layout.Texts)
        {
            sb.Append("<text class=\"").Append(text.Role).Append("\" x=\"").Append(N(text.X)).Append("\" y=\"").Append(N(text.Y)).Append("\" font-size=\"").Append(N(text.FontSize)).Append('"');
            if (text.Anchor != "start")
            {
                sb.Append(" text-anchor=\"").Append(text.Anchor).Append('"');
            }

            if (text.Bold)
            {
                sb.Append(" font-weight=\"bold\"");
            }

            sb.Append('>').Append(Escape(text.Text)).Append("</text>\n");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>The value as the chart prints it (the same formats as the text tables).</summary>
    public static string FormatValue(double value, ColumnFormat format) => ReportCell.Of(value).Format(format);

    private static double Measure(string text, double size) => text.Length * size * 0.6;

    private static string N(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}

using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Comparisons;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Runtime.Tests.Reporting;

/// <summary>Every chart of the report, checked by layout arithmetic: titles, units, one series per design, nothing overlapping.</summary>
[TestClass]
public sealed class ChartLayoutTests
{
    public static IEnumerable<object[]> Charts()
    {
        yield return new object[] { "trade-offs", PlacementChart.Spec(PlacementComparison.Run(milliseconds: 10)) };
        yield return new object[] { "lbr", LbrChart.Spec(LbrComparison.Run().Rows) };
    }

    [TestMethod]
    [DynamicData(nameof(Charts))]
    public void Each_chart_has_its_title_and_a_titled_axis_with_a_unit_per_measure(string name, ChartSpec spec)
    {
        var layout = SvgChart.Layout(spec);
        Assert.AreEqual(spec.Title, layout.Texts.Single(t => t.Role == "title").Text, name);
        var axes = layout.Texts.Where(t => t.Role == "axis-title").ToList();
        Assert.AreEqual(spec.Panels.Count, axes.Count, name);
        foreach (var axis in axes)
        {
            StringAssert.Matches(axis.Text, new System.Text.RegularExpressions.Regex(@"\([^)]+\)"), $"{name}: axis '{axis.Text}' names no unit");
        }

        var svg = XDocument.Parse(SvgChart.Render(layout));
        Assert.AreEqual(1, svg.Descendants().Count(e => e.Name.LocalName == "text" && (string?)e.Attribute("class") == "title"));
    }

    [TestMethod]
    [DynamicData(nameof(Charts))]
    public void Each_series_is_one_design_with_one_legend_entry_and_a_printed_value_per_bar(string name, ChartSpec spec)
    {
        var layout = SvgChart.Layout(spec);
        var legend = layout.Texts.Where(t => t.Role == "legend").Select(t => t.Text).ToList();
        CollectionAssert.AreEqual(spec.Series.Select(s => s.Name).ToList(), legend, name);
        Assert.AreEqual(spec.Series.Count, spec.Series.Select(s => s.Color).Distinct().Count(), $"{name}: one colour per series");
        foreach (var series in spec.Series)
        {
            // One bar per group and panel, plus the legend swatch.
            int bars = layout.Bars.Count(b => b.Series == series.Name && b.Panel >= 0);
            Assert.AreEqual(spec.Groups.Count * spec.Panels.Count, bars, $"{name}: {series.Name}");
        }

        int dataBars = layout.Bars.Count(b => b.Panel >= 0);
        Assert.AreEqual(dataBars, layout.Texts.Count(t => t.Role == "value"), $"{name}: every bar has its value printed");
        Assert.IsTrue(layout.Bars.Where(b => b.Panel >= 0).All(b => b.Width >= 1), $"{name}: a zero still shows");
    }

    [TestMethod]
    [DynamicData(nameof(Charts))]
    public void No_two_labels_overlap_and_every_label_is_on_the_canvas(string name, ChartSpec spec)
    {
        var layout = SvgChart.Layout(spec);
        var texts = layout.Texts;
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.IsTrue(texts[i].Left >= 0 && texts[i].Right <= layout.Width && texts[i].Top >= 0 && texts[i].Bottom <= layout.Height,
                $"{name}: '{texts[i].Text}' leaves the canvas");
            for (int j = i + 1; j < texts.Count; j++)
            {
                Assert.IsFalse(texts[i].Overlaps(texts[j]), $"{name}: '{texts[i].Text}' overlaps '{texts[j].Text}'");
            }
        }

        // A value label must not run into the next panel's bars.
        foreach (var value in texts.Where(t => t.Role == "value"))
        {
            foreach (var bar in layout.Bars.Where(b => b.Panel >= 0))
            {
                bool overlaps = value.Left < bar.X + bar.Width && bar.X < value.Right && value.Top < bar.Y + bar.Height && bar.Y < value.Bottom;
                Assert.IsFalse(overlaps && value.Left < bar.X, $"{name}: value '{value.Text}' runs into a bar");
            }
        }
    }

    [TestMethod]
    public void The_overlap_arithmetic_sees_an_overlap()
    {
        var a = new ChartText(10, 20, "abcdef", 10, "start", "value");
        var b = new ChartText(30, 22, "x", 10, "start", "value");
        var c = new ChartText(200, 20, "x", 10, "start", "value");
        Assert.IsTrue(a.Overlaps(b));
        Assert.IsFalse(a.Overlaps(c));
    }
}

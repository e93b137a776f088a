using MsrGen.Runtime.Comparisons;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// The placement comparison as the report's trade-offs chart (<see cref="TradeoffChart"/>): per
/// workload and design, guest overhead, guest count accuracy and host perf blind time, one measure
/// per panel, values printed on the bars.
/// </summary>
public static class PlacementChart
{
    public const string Title = TradeoffChart.Title;

    public static ChartSpec Spec(ComparisonTable table) => TradeoffChart.Spec(PlacementReportSection.Headline(table));

    public static string Svg(ComparisonTable table) => SvgChart.Render(Spec(table));
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Runtime.Lbr;

/// <summary>
/// The default report's guest LBR comparison (the strategies debated around Wei Wang, "[PATCH v2 6/8] perf/x86/intel/lbr: guest requesting KVM for lbr stack save/restore", LKML, 2018-09-06): the table of <see cref="LbrComparison"/>
/// and its chart, written next to the report as <c>lbr-strategies.svg</c> in
/// the report's chart directory.
/// </summary>
public sealed class LbrReportSection : IReportSection
{
    public const string ChartFileName = "lbr-strategies.svg";

    public int Order => 400;

    public string Title => "Guest LBR virtualisation: six strategies on four guest workloads";

    public void Write(ReportContext context, TextWriter writer)
    {
        WriteTo(writer, context.ChartDirectory);
    }

    /// <summary>Writes the table to <paramref name="writer"/> and the chart into <paramref name="directory"/>.</summary>
    public static void WriteTo(TextWriter writer, string directory)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var report = LbrComparison.Run();
        WriteTable(report, writer);
        ReportCharts.Write(writer, directory, ChartFileName, report.Svg);
    }

    public static void WriteTable(LbrComparisonReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"host: {report.Host.LbrDepth}-entry LBR, format {report.Host.LbrFormat}; timer window {report.TimerWindow} cycles; {LbrCostTable.Citation}"));
        var header = new[] { "workload", "strategy", "switches", "LBR ops/switch", "cycles/switch", "LBR exits", "timer exits", "polluted", "polluted entries", "entries lost" };
        var rows = new List<string[]>();
        foreach (var r in report.Rows)
        {
            rows.Add(
            [
                LbrWorkloads.ShortNameOf(r.Workload), LbrStrategy.NameOf(r.Strategy), N(r.VcpuSwitches), F(r.MsrOpsPerSwitch),
                F(r.CyclesPerSwitch), N(r.InterceptedAccesses), N(r.TimerExits), r.Polluted ? "YES" : "no", N(r.PollutedEntries), N(r.LostEntries),
            ]);
        }

        TextTable.Write(writer, header, rows);
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}

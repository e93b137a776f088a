using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MsrGen.Runtime.Comparisons;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// The report's guest LBR comparison (the strategies debated around Wei Wang, "[PATCH v2 6/8]
/// perf/x86/intel/lbr: guest requesting KVM for lbr stack save/restore", LKML, 2018-09-06): the
/// table of <see cref="LbrComparison"/>, one-sentence findings read off its rows, and its chart.
/// </summary>
public sealed class LbrReportSection : IReportSection
{
    public const string ChartFileName = "lbr-strategies.svg";

    public int Order => 200;

    public string Id => "lbr-strategies";

    public string Title => "Guest LBR strategies: cost per vCPU switch, host entries leaked, guest entries lost";

    public bool Essential => true;

    public ReportSectionResult Build(ReportContext context) => Build(LbrComparison.Run());

    public static ReportSectionResult Build(LbrComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        string host = string.Create(CultureInfo.InvariantCulture,
            $"host: {report.Host.LbrDepth}-entry LBR, format {report.Host.LbrFormat} (Skylake-server-like); timer window {report.TimerWindow:N0} cycles; {LbrComparison.Citation(new Cost.CostTable())}");
        return new ReportSectionResult(new[] { host }, new[] { Table(report) }, Findings(report.Rows), new[] { new ReportChart(ChartFileName, LbrChart.Title, report.Svg) });
    }

    public static ReportTable Table(LbrComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var columns = new[]
        {
            new ReportColumn("workload", "workload", "", ColumnFormat.Text),
            new ReportColumn("strategy", "strategy", "", ColumnFormat.Text),
            new ReportColumn("vcpu_switches", "switches", "count", ColumnFormat.Integer),
            new ReportColumn("lbr_msr_ops_per_switch", "LBR ops", "/switch", ColumnFormat.Decimal),
            new ReportColumn("cycles_per_switch", "cost", "cycles/switch", ColumnFormat.Integer),
            new ReportColumn("lbr_exits", "LBR exits", "count", ColumnFormat.Integer),
            new ReportColumn("timer_exits", "timer exits", "count", ColumnFormat.Integer),
            new ReportColumn("polluted_reads", "polluted", "reads", ColumnFormat.Integer),
            new ReportColumn("polluted_entries", "leaked", "entries", ColumnFormat.Integer),
            new ReportColumn("lost_entries", "lost", "entries", ColumnFormat.Integer),
        };
        var rows = report.Rows.Select(r => (IReadOnlyList<ReportCell>)new[]
        {
            ReportCell.Of(LbrWorkloads.ShortNameOf(r.Workload)), ReportCell.Of(LbrStrategy.NameOf(r.Strategy)), ReportCell.Of(r.VcpuSwitches),
            ReportCell.Of(r.MsrOpsPerSwitch), ReportCell.Of(r.CyclesPerSwitch), ReportCell.Of(r.InterceptedAccesses), ReportCell.Of(r.TimerExits),
            ReportCell.Of(r.PollutedReads), ReportCell.Of(r.PollutedEntries), ReportCell.Of(r.LostEntries),
        }).ToList();
        return new ReportTable("lbr-strategies", "Six guest LBR strategies on four workloads", columns, rows);
    }

    /// <summary>What the rows show, one sentence each, computed from the rows (nothing here is fixed text about results).</summary>
    public static IReadOnlyList<string> Findings(IReadOnlyList<LbrComparisonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var findings = new List<string>();
        var strategies = rows.Select(r => r.Strategy).Distinct().ToList();
        var workloads = rows.Select(r => r.Workload).Distinct().ToList();

        string Where(LbrStrategyKind s, Func<LbrComparisonRow, long> measure) =>
            string.Join(", ", rows.Where(r => r.Strategy == s && measure(r) > 0).Select(r => LbrWorkloads.ShortNameOf(r.Workload)));

        var leaking = strategies.Where(s => rows.Any(r => r.Strategy == s && r.PollutedEntries > 0)).ToList();
        findings.Add(leaking.Count == 0
            ? "No strategy lets host branches into the guest's LBR stack."
            : "Host branches reach the guest's LBR stack under " + Join(leaking.Select(s => $"{LbrStrategy.NameOf(s)} ({Where(s, r => r.PollutedEntries)})")) + ".");

        var losing = strategies.Where(s => rows.Any(r => r.Strategy == s && r.LostEntries > 0)).ToList();
        findings.Add(losing.Count == 0
            ? "No strategy loses guest branch records."
            : "Guest branch records are lost under " + Join(losing.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{LbrStrategy.NameOf(s)} ({rows.Where(r => r.Strategy == s).Sum(r => r.LostEntries):N0} entries)"))) + ".");

        var clean = strategies.Where(s => rows.Where(r => r.Strategy == s).All(r => r.PollutedEntries == 0 && r.LostEntries == 0)).ToList();
        if (clean.Count > 0)
        {
            findings.Add("Clean and lossless on every workload: " + Join(clean.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{LbrStrategy.NameOf(s)} at {rows.Where(r => r.Strategy == s).Average(r => r.CyclesPerSwitch):N0} cycles per switch on average"))) + ".");
        }

        var idle = workloads.Contains(LbrWorkload.UsedOnceThenIdle)
            ? rows.Where(r => r.Workload == LbrWorkload.UsedOnceThenIdle).OrderBy(r => r.CyclesPerSwitch).ThenBy(r => r.Strategy).ToList()
            : new List<LbrComparisonRow>();
        if (idle.Count > 0)
        {
            findings.Add("Once the guest stops using the LBR, the cost per switch is " + Join(idle.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r.CyclesPerSwitch:N0} cycles for {LbrStrategy.NameOf(r.Strategy)}"))) + ".");
        }

        return findings;
    }

    private static string Join(IEnumerable<string> parts)
    {
        var list = parts.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1];
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MsrGen.Runtime.Reporting;

/// <summary>One workload run under one design: what it cost the guest and what each side could still measure.</summary>
/// <param name="Workload">What the guest (and host) did.</param>
/// <param name="Design">The vPMU design, named as <see cref="DesignNames"/> names it.</param>
/// <param name="OverheadPercent">Modelled host cycles spent on the guest's PMU work, as a share of the guest's run time.</param>
/// <param name="ExitsPerSecond">VM-exits per second of guest run time.</param>
/// <param name="MsrOpsPerExit">Physical RDMSR, WRMSR and RDPMC the host executed, per VM-exit.</param>
/// <param name="GuestAccuracyPercent">The guest's counts against what it really executed.</param>
/// <param name="HostBlindPercent">Share of the run during which host perf's exclude_guest events could not count.</param>
public sealed record HeadlineRow(
    string Workload,
    string Design,
    double OverheadPercent,
    double ExitsPerSecond,
    double MsrOpsPerExit,
    double GuestAccuracyPercent,
    double HostBlindPercent);

/// <summary>
/// The report's headline: per workload × design, the five numbers a performance engineer weighs.
/// Any source of results can fill it (the placement comparison does; trace replays may), and it
/// renders as text, as a <see cref="ReportTable"/> for the machine-readable output, and as a chart.
/// </summary>
public sealed class HeadlineTable
{
    public const string TableId = "headline";

    public static IReadOnlyList<ReportColumn> Columns { get; } = new[]
    {
        new ReportColumn("workload", "workload", "", ColumnFormat.Text),
        new ReportColumn("design", "design", "", ColumnFormat.Text),
        new ReportColumn("guest_overhead_pct", "guest overhead", "%", ColumnFormat.Percent),
        new ReportColumn("vm_exits_per_s", "VM-exits", "/s", ColumnFormat.Integer),
        new ReportColumn("msr_ops_per_exit", "MSR ops", "/exit", ColumnFormat.Decimal),
        new ReportColumn("guest_count_accuracy_pct", "guest accuracy", "%", ColumnFormat.Percent),
        new ReportColumn("host_perf_blind_pct", "host blind", "%", ColumnFormat.Percent),
    };

    public HeadlineTable(string title, IEnumerable<HeadlineRow> rows)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(rows);
        Title = title;
        Rows = rows.Select(r => r with { Design = DesignNames.Canonical(r.Design) }).ToList();
    }

    public string Title { get; }

    public IReadOnlyList<HeadlineRow> Rows { get; }

    public IReadOnlyList<string> Workloads => Rows.Select(r => r.Workload).Distinct().ToList();

    public IReadOnlyList<string> Designs => Rows.Select(r => r.Design).Distinct().ToList();

    public ReportTable ToReportTable() => new(
        TableId,
        Title,
        Columns,
        Rows.Select(r => (IReadOnlyList<ReportCell>)new[]
        {
            ReportCell.Of(r.Workload), ReportCell.Of(r.Design), ReportCell.Of(r.OverheadPercent), ReportCell.Of(r.ExitsPerSecond),
            ReportCell.Of(r.MsrOpsPerExit), ReportCell.Of(r.GuestAccuracyPercent), ReportCell.Of(r.HostBlindPercent),
        }).ToList());

    public void Write(TextWriter writer) => ToReportTable().Write(writer);
}

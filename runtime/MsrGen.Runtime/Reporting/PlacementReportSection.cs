using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MsrGen.Runtime.Comparisons;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// The placement comparison in the report: the headline table built from it, the detailed table,
/// and the checks against published numbers (the trade-offs chart is drawn from the headline).
/// </summary>
internal sealed class PlacementReportSection : IReportSection
{
    private static readonly Lazy<ComparisonTable> DefaultRun = new(() => PlacementComparison.Run());

    public int Order => 300;

    public string Id => "placements";

    public string Title => "Mediated vPMU switch placements against the emulated vPMU: details";

    public bool Essential => false;

    /// <summary>The comparison on the default host, run once per process (it is a pure function).</summary>
    public static ComparisonTable Default => DefaultRun.Value;

    /// <summary>The modelled host in one line.</summary>
    public static string HostLine(ComparisonTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return string.Create(CultureInfo.InvariantCulture,
            $"{table.Host.Vendor} PMU v{table.Host.Version}, {table.Host.GpCounters} GP + {table.Host.FixedCounters} fixed counters (Emerald Rapids-like), 2 GHz nominal clock, {table.Milliseconds} simulated ms per workload");
    }

    /// <summary>The headline (overhead, exits, MSR operations, accuracy, blindness) of a comparison run.</summary>
    public static HeadlineTable Headline(ComparisonTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        double seconds = table.Milliseconds / 1000.0;
        return new HeadlineTable(
            "Guest overhead, VM-exits, MSR traffic and accuracy per workload and vPMU design",
            table.Rows.Select(r => new HeadlineRow(
                PlacementComparison.WorkloadName(r.Workload), r.Design, r.OverheadPercent, r.Exits / seconds,
                r.MsrOpsPerExit, r.GuestAccuracyPercent, r.HostBlindPercent)));
    }

    public ReportSectionResult Build(ReportContext context) => Build(Default);

    public static ReportSectionResult Build(ComparisonTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new ReportSectionResult(
            new[] { "host: " + HostLine(table), AnchorsLine() },
            new[] { Details(table), Checks(AnchorChecks.Run()) },
            Array.Empty<string>(),
            Array.Empty<ReportChart>());
    }

    public static ReportTable Details(ComparisonTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = new[]
        {
            new ReportColumn("workload", "workload", "", ColumnFormat.Text),
            new ReportColumn("design", "design", "", ColumnFormat.Text),
            new ReportColumn("vm_exits", "VM-exits", "count", ColumnFormat.Integer),
            new ReportColumn("switches", "PMU switches", "count", ColumnFormat.Integer),
            new ReportColumn("msr_ops_per_switch", "MSR ops", "/switch", ColumnFormat.Decimal),
            new ReportColumn("msr_ops_per_exit", "MSR ops", "/exit", ColumnFormat.Decimal),
            new ReportColumn("cycles_per_exit", "host cost", "cycles/exit", ColumnFormat.Integer),
            new ReportColumn("guest_overhead_pct", "guest overhead", "%", ColumnFormat.Percent),
            new ReportColumn("guest_count_accuracy_pct", "guest accuracy", "%", ColumnFormat.Percent),
            new ReportColumn("host_count_accuracy_pct", "host accuracy", "%", ColumnFormat.Percent),
            new ReportColumn("host_perf_blind_pct", "host blind", "%", ColumnFormat.Percent),
        };
        var rows = table.Rows.Select(r => (IReadOnlyList<ReportCell>)new[]
        {
            ReportCell.Of(PlacementComparison.WorkloadName(r.Workload)), ReportCell.Of(r.Design), ReportCell.Of(r.Exits), ReportCell.Of(r.Switches),
            r.Switches == 0 ? ReportCell.Empty : ReportCell.Of(r.MsrOpsPerSwitch), ReportCell.Of(r.MsrOpsPerExit), ReportCell.Of(r.CyclesPerExit),
            ReportCell.Of(r.OverheadPercent), ReportCell.Of(r.GuestAccuracyPercent), ReportCell.Of(r.HostAccuracyPercent), ReportCell.Of(r.HostBlindPercent),
        }).ToList();
        return new ReportTable("placement-details", "Every design on every workload", columns, rows);
    }

    /// <summary>Which published figures set a default and which only check the model.</summary>
    public static string AnchorsLine() =>
        "anchors: calibrating (set a default, never checked): "
        + string.Join("; ", AnchorChecks.Calibrating.Select(c => $"{c.Source}, {c.Figure} (sets {c.Sets})"))
        + ". Validating (no default comes from them): the checks below, with the model's gap to each.";

    public static ReportTable Checks(IReadOnlyList<AnchorCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var columns = new[]
        {
            new ReportColumn("quantity", "quantity", "", ColumnFormat.Text),
            new ReportColumn("source", "published in (docs/sources.md)", "", ColumnFormat.Text),
            new ReportColumn("modelled", "modelled", "unit of the quantity", ColumnFormat.Decimal),
            new ReportColumn("published", "published", "unit of the quantity", ColumnFormat.Text),
            new ReportColumn("ratio", "modelled / published", "x", ColumnFormat.Ratio),
        };
        var rows = checks.Select(c => (IReadOnlyList<ReportCell>)new[]
        {
            ReportCell.Of(c.Quantity), ReportCell.Of(c.Source), ReportCell.Of(c.Modeled),
            ReportCell.Of(c.PublishedLow == c.PublishedHigh
                ? c.PublishedLow.ToString("N0", CultureInfo.InvariantCulture)
                : c.PublishedLow.ToString("N0", CultureInfo.InvariantCulture) + "-" + c.PublishedHigh.ToString("N0", CultureInfo.InvariantCulture)),
            ReportCell.Of(c.Ratio),
        }).ToList();
        return new ReportTable("published-checks", "Validating checks against published numbers (no default is derived from them)", columns, rows);
    }
}

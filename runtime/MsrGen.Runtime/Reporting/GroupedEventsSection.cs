using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Registers;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// Grouped events (Like Xu, "[PATCH RFC 7/8] KVM: x86/pmu: Use flex *event arrays to implement
/// grouped events", LKML, 2022-12-12) against separate counters: for every built-in scenario that
/// has both a grouped-metrics VM and a plain emulated VM, what reading the four level-1 metrics cost each.
/// </summary>
internal sealed class GroupedEventsSection : IReportSection
{
    private static readonly (string Metric, ReportColumn Column)[] Metrics =
    {
        ("exits", new ReportColumn("vm_exits", "VM-exits", "count", ColumnFormat.Integer)),
        ("exits.rdpmc", new ReportColumn("rdpmc_exits", "RDPMC exits", "count", ColumnFormat.Integer)),
        ("hw.rdpmc", new ReportColumn("physical_rdpmc", "physical RDPMC", "count", ColumnFormat.Integer)),
        ("perf.creates", new ReportColumn("perf_creates", "perf events created", "count", ColumnFormat.Integer)),
        ("cost", new ReportColumn("cost", "host cost", "cycles", ColumnFormat.Integer)),
    };

    public int Order => 350;

    public string Id => "grouped-events";

    public string Title => "Grouped events: one PERF_METRICS read against four counters";

    public bool Essential => false;

    public ReportSectionResult Build(ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = new List<IReadOnlyList<ReportCell>>();
        foreach (var outcome in context.Outcomes)
        {
            if (!outcome.Vms.Any(v => v.Design.StartsWith("emulated+grouped", StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var vm in outcome.Vms.Where(v => v.Mode == VpmuMode.Emulated))
            {
                var metrics = vm.Metrics.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
                var row = new List<ReportCell> { ReportCell.Of(vm.Name), ReportCell.Of(DesignNames.Canonical(vm.Design)) };
                row.AddRange(Metrics.Select(m => ReportCell.Of(metrics.GetValueOrDefault(m.Metric))));
                rows.Add(row);
            }
        }

        var columns = new[] { new ReportColumn("vm", "VM", "", ColumnFormat.Text), new ReportColumn("design", "design", "", ColumnFormat.Text) }
            .Concat(Metrics.Select(m => m.Column)).ToList();
        string note = rows.Count == 0
            ? "No built-in scenario compares grouped and separate counters."
            : "Metrics count from each VM's last 'reset metrics' (the read phase).";
        return new ReportSectionResult(
            new[] { note },
            rows.Count == 0 ? Array.Empty<ReportTable>() : new[] { new ReportTable("grouped-events", Title, columns, rows) },
            Array.Empty<string>(),
            Array.Empty<ReportChart>());
    }
}

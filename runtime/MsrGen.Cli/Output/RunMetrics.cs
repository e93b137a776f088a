using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Output;

/// <summary>The per-VM metrics of a run (<c>msrgen run --metrics</c>): exits, MSR traffic, #GP faults and modelled cost.</summary>
internal static class RunMetrics
{
    public static ReportTable Table(IReadOnlyList<ScenarioOutcome> outcomes)
    {
        var columns = new[]
        {
            new ReportColumn("scenario", "scenario", "", ColumnFormat.Text),
            new ReportColumn("vm", "VM", "", ColumnFormat.Text),
            new ReportColumn("design", "design", "", ColumnFormat.Text),
            new ReportColumn("vm_exits", "VM-exits", "count", ColumnFormat.Integer),
            new ReportColumn("msr_exits", "MSR-access exits", "count", ColumnFormat.Integer),
            new ReportColumn("physical_msr_ops", "physical MSR ops", "count", ColumnFormat.Integer),
            new ReportColumn("gp_faults", "#GP faults injected", "count", ColumnFormat.Integer),
            new ReportColumn("cost", "modelled host cost", "cycles", ColumnFormat.Integer),
        };
        var rows = new List<IReadOnlyList<ReportCell>>();
        foreach (var outcome in outcomes)
        {
            foreach (var vm in outcome.Vms)
            {
                var m = vm.Metrics.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
                ulong Get(string name) => m.GetValueOrDefault(name);
                rows.Add(new[]
                {
                    ReportCell.Of(outcome.Path), ReportCell.Of(vm.Name), ReportCell.Of(DesignNames.Canonical(vm.Design)),
                    ReportCell.Of(Get("exits")), ReportCell.Of(Get("exits.msr")),
                    ReportCell.Of(Get("hw.msr-reads") + Get("hw.msr-writes") + Get("hw.rdpmc")),
                    ReportCell.Of(Get("gp")), ReportCell.Of(Get("cost")),
                });
            }
        }

        return new ReportTable("vm-metrics", "Per-VM metrics at the end of each scenario", columns, rows);
    }
}

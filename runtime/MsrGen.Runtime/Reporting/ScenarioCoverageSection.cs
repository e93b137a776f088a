using System;
using System.Collections.Generic;
using System.Linq;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// Which vPMU designs the built-in scenarios exercise: per design, how many scenarios and VMs use
/// it and how many of those scenarios hold. Metrics of unrelated scenarios are not added up: each
/// scenario measures its own thing, and its numbers are in <c>msrgen run --metrics</c>.
/// </summary>
internal sealed class ScenarioCoverageSection : IReportSection
{
    public int Order => 500;

    public string Id => "scenario-coverage";

    public string Title => "Built-in scenarios per vPMU design";

    public bool Essential => false;

    public ReportSectionResult Build(ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var byDesign = new SortedDictionary<string, (HashSet<string> Scenarios, int Vms, HashSet<string> Failing)>(StringComparer.Ordinal);
        foreach (var outcome in context.Outcomes)
        {
            foreach (var vm in outcome.Vms)
            {
                string design = DesignNames.Canonical(vm.Design);
                if (!byDesign.TryGetValue(design, out var entry))
                {
                    entry = (new HashSet<string>(StringComparer.Ordinal), 0, new HashSet<string>(StringComparer.Ordinal));
                }

                entry.Scenarios.Add(outcome.Path);
                if (outcome.Failed > 0 || outcome.Malformed)
                {
                    entry.Failing.Add(outcome.Path);
                }

                byDesign[design] = (entry.Scenarios, entry.Vms + 1, entry.Failing);
            }
        }

        var columns = new[]
        {
            new ReportColumn("design", "design", "", ColumnFormat.Text),
            new ReportColumn("scenarios", "scenarios", "count", ColumnFormat.Integer),
            new ReportColumn("vms", "VMs", "count", ColumnFormat.Integer),
            new ReportColumn("scenarios_holding", "scenarios holding", "count", ColumnFormat.Integer),
        };
        var rows = byDesign.Select(d => (IReadOnlyList<ReportCell>)new[]
        {
            ReportCell.Of(d.Key), ReportCell.Of(d.Value.Scenarios.Count), ReportCell.Of(d.Value.Vms), ReportCell.Of(d.Value.Scenarios.Count - d.Value.Failing.Count),
        }).ToList();
        return new ReportSectionResult(
            new[] { "A scenario counts for every design one of its VMs uses; per-VM metrics are printed by 'msrgen run --metrics'." },
            new[] { new ReportTable("scenario-coverage", Title, columns, rows) },
            Array.Empty<string>(),
            Array.Empty<ReportChart>());
    }
}

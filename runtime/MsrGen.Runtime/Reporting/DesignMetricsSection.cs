using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// The metrics of the built-in scenarios summed per vPMU design (one row per design, each VM's
/// metrics since its last <c>reset metrics</c>), so the designs' exit and perf-call budgets sit
/// side by side.
/// </summary>
internal sealed class DesignMetricsSection : IReportSection
{
    private static readonly string[] Columns = { "exits", "exits.msr", "exits.rdpmc", "pmis", "gp", "hw.msr-writes", "hw.rdpmc", "perf.creates", "perf.reprograms", "cost" };

    public int Order => 100;

    public string Title => "Metrics per vPMU design (summed over the built-in scenarios)";

    public void Write(ReportContext context, TextWriter writer)
    {
        var byDesign = new SortedDictionary<string, (int Vms, ulong[] Sums)>(StringComparer.Ordinal);
        foreach (var vm in context.Outcomes.SelectMany(o => o.Vms))
        {
            if (!byDesign.TryGetValue(vm.Design, out var entry))
            {
                entry = (0, new ulong[Columns.Length]);
            }

            var metrics = vm.Metrics.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
            for (int i = 0; i < Columns.Length; i++)
            {
                entry.Sums[i] += metrics.GetValueOrDefault(Columns[i]);
            }

            byDesign[vm.Design] = (entry.Vms + 1, entry.Sums);
        }

        var rows = byDesign.Select(d => new[] { d.Key, d.Value.Vms.ToString(CultureInfo.InvariantCulture) }
            .Concat(d.Value.Sums.Select(v => v.ToString("N0", CultureInfo.InvariantCulture))).ToArray()).ToList();
        TextTable.Write(writer, new[] { "design", "VMs" }.Concat(Columns).ToArray(), rows, leftAligned: 1);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MsrGen.Runtime.Reporting;

/// <summary>The metrics of every VM of the built-in scenarios, one row per VM, grouped by design.</summary>
internal sealed class DesignMetricsSection : IReportSection
{
    private static readonly string[] Columns = { "exits", "exits.msr", "exits.rdpmc", "pmis", "hw.msr-writes", "hw.rdpmc", "perf.creates", "perf.reprograms", "cost" };

    public int Order => 100;

    public string Title => "Metrics per vPMU design";

    public void Write(ReportContext context, TextWriter writer)
    {
        var rows = new List<string[]>();
        foreach (var outcome in context.Outcomes)
        {
            foreach (var vm in outcome.Vms)
            {
                var metrics = vm.Metrics.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
                var row = new List<string> { System.IO.Path.GetFileNameWithoutExtension(outcome.Path), vm.Design };
                row.AddRange(Columns.Select(c => metrics.TryGetValue(c, out ulong v) ? v.ToString("N0", CultureInfo.InvariantCulture) : "0"));
                rows.Add(row.ToArray());
            }
        }

        var header = new[] { "scenario", "design" }.Concat(Columns).ToArray();
        TextTable.Write(writer, header, rows.OrderBy(r => r[1], StringComparer.Ordinal).ThenBy(r => r[0], StringComparer.Ordinal).ToList());
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MsrGen.Registers;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// Grouped events against separate counters: for every built-in scenario that has both a
/// grouped-metrics VM and a plain legacy VM, what reading the four level-1 metrics cost each.
/// </summary>
internal sealed class GroupedEventsSection : IReportSection
{
    private static readonly string[] Columns = { "exits", "exits.rdpmc", "hw.rdpmc", "perf.creates", "cost" };

    public int Order => 200;

    public string Title => "Grouped events: one PERF_METRICS read against four counters";

    public void Write(ReportContext context, TextWriter writer)
    {
        var rows = new List<string[]>();
        foreach (var outcome in context.Outcomes)
        {
            if (!outcome.Vms.Any(v => v.Design.StartsWith("emulated+grouped", StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var vm in outcome.Vms.Where(v => v.Mode == VpmuMode.Emulated))
            {
                var metrics = vm.Metrics.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
                var row = new List<string> { vm.Name, vm.Design };
                row.AddRange(Columns.Select(c => metrics.TryGetValue(c, out ulong v) ? v.ToString("N0", CultureInfo.InvariantCulture) : "0"));
                rows.Add(row.ToArray());
            }
        }

        if (rows.Count == 0)
        {
            writer.WriteLine("(no built-in scenario compares grouped and separate counters)");
            return;
        }

        writer.WriteLine("Metrics count from each VM's last 'reset metrics' (the read phase).");
        TextTable.Write(writer, new[] { "vm", "design" }.Concat(Columns).ToArray(), rows);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using MsrGen.Registers;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Runtime.Comparisons;

/// <summary>One strategy on one workload.</summary>
public sealed record LbrComparisonRow(
    LbrWorkload Workload,
    LbrStrategyKind Strategy,
    long VcpuSwitches,
    long HostLbrMsrOps,
    double MsrOpsPerSwitch,
    double CyclesPerSwitch,
    long InterceptedAccesses,
    long TimerExits,
    long GuestReads,
    long PollutedReads,
    long PollutedEntries,
    long LostEntries,
    long PerfEventCreates)
{
    public bool Polluted => PollutedReads > 0;
}

/// <summary>The comparison's data, a Markdown table of it and an SVG chart of it.</summary>
public sealed record LbrComparisonReport(IReadOnlyList<LbrComparisonRow> Rows, string MarkdownTable, string Svg, PmuCaps Host, long TimerWindow)
{
    public LbrComparisonRow Find(LbrWorkload workload, LbrStrategyKind strategy) =>
        LbrComparison.FindRow(Rows, workload, strategy);
}

/// <summary>
/// All six strategies on the four workloads debated around Wei Wang, "[PATCH v2 6/8] perf/x86/intel/lbr: guest requesting KVM for lbr stack save/restore", LKML, 2018-09-06, as a pure function: same inputs, same
/// rows, byte-identical table and SVG. The CLI's default report includes it.
/// </summary>
public static class LbrComparison
{
    public static IReadOnlyList<LbrStrategyKind> Strategies { get; } =
        [LbrStrategyKind.Pv, LbrStrategyKind.Lazy, LbrStrategyKind.Timer, LbrStrategyKind.Kvm, LbrStrategyKind.Always, LbrStrategyKind.None];

    public static IReadOnlyList<LbrWorkload> Workloads { get; } =
        [LbrWorkload.CallstackSwitching, LbrWorkload.UsedOnceThenIdle, LbrWorkload.PmiHeavyToggling, LbrWorkload.HostThreadInWindow];

    /// <summary>The primitives the comparison prices, with their values and sources, for reports.</summary>
    public static string Citation(Cost.CostTable costs)
    {
        ArgumentNullException.ThrowIfNull(costs);
        string Entry(string name) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{name} {costs[name]:N0} ({costs.Entries.First(e => e.Name == name).Source})");
        return $"costs from the runtime's cost table: save {Entry(Cost.CostTable.Rdmsr)}, restore {Entry(Cost.CostTable.Wrmsr)}, "
            + $"intercepted access or timer exit {Entry(Cost.CostTable.VmExit)} (see docs/cost-model.md)";
    }

    /// <summary>Runs the comparison on a Skylake-server-like host (32 entries with LBR_INFO).</summary>
    public static LbrComparisonReport Run(Cost.CostTable? costs = null, long timerWindow = 30_000_000) =>
        Run(LbrWorld.SkylakeServer, costs ?? new Cost.CostTable(), timerWindow);

    public static LbrComparisonReport Run(in PmuCaps host, Cost.CostTable costs, long timerWindow)
    {
        ArgumentNullException.ThrowIfNull(costs);
        var rows = new List<LbrComparisonRow>();
        foreach (var workload in Workloads)
        {
            foreach (var strategy in Strategies)
            {
                var guest = host with { Features = host.Features | PmuFeatures.PvLbrCtrl };
                var options = new LbrVmOptions
                {
                    Strategy = strategy,
                    TimerWindow = timerWindow,
                    Costs = costs,
                    Profile = strategy == LbrStrategyKind.Pv ? MsrProfile.PvLbr2018 : MsrProfile.Upstream,
                };
                var world = new LbrWorld(host, guest, options);
                LbrWorkloads.Run(workload, world);
                var m = world.Metrics;
                double switches = Math.Max(1, m.VcpuSwitches);
                rows.Add(new LbrComparisonRow(
                    workload, strategy, m.VcpuSwitches, m.HostLbrMsrOps, m.HostLbrMsrOps / switches,
                    m.ModeledCycles(costs) / switches, m.InterceptedLbrAccesses, m.TimerExits,
                    m.GuestReads, m.PollutedReads, m.PollutedEntries, m.LostEntries, m.PerfEventCreates));
            }
        }

        return new LbrComparisonReport(rows, ToMarkdown(rows), LbrChart.Render(rows), host, timerWindow);
    }

    public static string ToMarkdown(IReadOnlyList<LbrComparisonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        sb.Append("| workload | strategy | vCPU switches | LBR MSR ops / switch | modeled cycles / switch | intercepted LBR accesses | timer exits | polluted | polluted reads / entries | entries lost |\n");
        sb.Append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |\n");
        foreach (var r in rows)
        {
            sb.Append("| ").Append(LbrWorkloads.NameOf(r.Workload))
              .Append(" | ").Append(LbrStrategy.NameOf(r.Strategy))
              .Append(" | ").Append(I(r.VcpuSwitches))
              .Append(" | ").Append(F(r.MsrOpsPerSwitch))
              .Append(" | ").Append(F(r.CyclesPerSwitch))
              .Append(" | ").Append(I(r.InterceptedAccesses))
              .Append(" | ").Append(I(r.TimerExits))
              .Append(" | ").Append(r.Polluted ? "**yes**" : "no")
              .Append(" | ").Append(I(r.PollutedReads)).Append(" / ").Append(I(r.PollutedEntries))
              .Append(" | ").Append(I(r.LostEntries))
              .Append(" |\n");
        }

        return sb.ToString();
    }

    /// <summary>The row of <paramref name="workload"/> and <paramref name="strategy"/>; every pair has one.</summary>
    public static LbrComparisonRow FindRow(IReadOnlyList<LbrComparisonRow> rows, LbrWorkload workload, LbrStrategyKind strategy)
    {
        foreach (var row in rows)
        {
            if (row.Workload == workload && row.Strategy == strategy)
            {
                return row;
            }
        }

        throw new KeyNotFoundException($"no row for {workload} / {strategy}");
    }

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}

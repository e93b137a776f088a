using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using MsrGen.Registers;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Comparisons;

/// <summary>The <c>timer</c> strategy at one hysteresis window.</summary>
public sealed record LbrTimerSweepRow(long Window, long PollutedReads, long WindowReads, double IdleMsrOpsPerSwitch, long IdleTimerExits);

/// <summary>
/// The timer strategy's trade-off as a pure function: for each window, the pollution in the
/// clear-to-read workload (host slices of <see cref="LbrWorkloads.LongHostSlice"/> branches) and
/// what the host keeps paying for a guest that stopped using the LBR.
/// </summary>
public static class LbrTimerSweep
{
    public static IReadOnlyList<long> DefaultWindows { get; } = [1_000_000, 10_000_000, 30_000_000, 60_000_000, 120_000_000];

    public static IReadOnlyList<LbrTimerSweepRow> Run(IReadOnlyList<long>? windows = null) => Run(LbrWorld.SkylakeServer, windows ?? DefaultWindows);

    public static IReadOnlyList<LbrTimerSweepRow> Run(in PmuCaps host, IReadOnlyList<long> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var rows = new List<LbrTimerSweepRow>();
        foreach (long window in windows)
        {
            var polluting = LbrWorkloads.Run(LbrWorkload.HostThreadInWindow, LbrStrategyKind.Timer, host, window).Metrics;
            var idle = LbrWorkloads.Run(LbrWorkload.UsedOnceThenIdle, LbrStrategyKind.Timer, host, window).Metrics;
            rows.Add(new LbrTimerSweepRow(window, polluting.PollutedReads, polluting.GuestReads,
                idle.HostLbrMsrOps / (double)Math.Max(1, idle.VcpuSwitches), idle.TimerExits));
        }

        return rows;
    }

    public static string ToMarkdown(IReadOnlyList<LbrTimerSweepRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        sb.Append("| timer window (cycles) | polluted reads, host thread in the window | idle guest: LBR MSR ops / switch | idle guest: timer exits |\n");
        sb.Append("| ---: | ---: | ---: | ---: |\n");
        foreach (var r in rows)
        {
            sb.Append("| ").Append(r.Window.ToString(CultureInfo.InvariantCulture))
              .Append(" | ").Append(r.PollutedReads.ToString(CultureInfo.InvariantCulture)).Append(" of ").Append(r.WindowReads.ToString(CultureInfo.InvariantCulture))
              .Append(" | ").Append(r.IdleMsrOpsPerSwitch.ToString("0.#", CultureInfo.InvariantCulture))
              .Append(" | ").Append(r.IdleTimerExits.ToString(CultureInfo.InvariantCulture))
              .Append(" |\n");
        }

        return sb.ToString();
    }
}

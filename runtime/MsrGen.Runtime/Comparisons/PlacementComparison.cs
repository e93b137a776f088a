using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Comparisons;

/// <summary>The workloads of the comparison (the use cases of Sean Christopherson, "Re: [Patch v4 07/13] perf/x86: Add constraint for guest perf metrics event", LKML, 2023-10-02, and the benchmarks of Xiong Zhang's passthrough vPMU RFC, 2024-01-26).</summary>
public enum ComparisonWorkload
{
    /// <summary>In-guest <c>perf stat</c> on every GP counter while host perf holds two pinned exclude_guest events.</summary>
    PerfStat,
    /// <summary>In-guest <c>perf record -F 1000</c> with six instruction events (Zhang 2024: 33.62 % emulated, 6.21 % passthrough with event filters).</summary>
    PerfRecord,
    /// <summary>Ten sampling events on eight counters, rotated every 4 ms (Zhang 2024: 79.32 % emulated, 10.45 % passthrough with event filters).</summary>
    Multiplex,
    /// <summary>A mostly halted guest with a busy host profiling itself (two exclude_guest events).</summary>
    IdleGuestBusyHost,
}

/// <summary>One row: one design on one workload.</summary>
public sealed record ComparisonRow(
    ComparisonWorkload Workload,
    string Design,
    long Exits,
    long Switches,
    double MsrOpsPerSwitch,
    double MsrOpsPerExit,
    double CyclesPerExit,
    double OverheadPercent,
    double GuestAccuracyPercent,
    double HostAccuracyPercent,
    double HostBlindPercent);

/// <summary>The table of a comparison run plus the host it ran on.</summary>
public sealed record ComparisonTable(PmuCaps Host, int Milliseconds, IReadOnlyList<ComparisonRow> Rows);

/// <summary>
/// Runs each workload through the legacy vPMU and the mediated vPMU at every placement on the
/// same host and returns what each design cost and how accurate it was. A pure function of its
/// inputs: no clock, no randomness, same numbers on every machine.
/// </summary>
public static class PlacementComparison
{
    /// <summary>Instructions (and cycles: IPC 1 at the model's 2 GHz) of one simulated millisecond.</summary>
    public const ulong InstructionsPerMs = 2_000_000;

    /// <summary>An Emerald-Rapids-like host: PMU v5, 8 GP + 3 fixed 48-bit counters, full-width writes.</summary>
    public static readonly PmuCaps DefaultHost = new(
        CpuVendor.Intel, Version: 5, GpCounters: 8, FixedCounters: 3, GpWidth: 48, FixedWidth: 48,
        PerfCapabilities: PmuCaps.PerfCapFullWidthWrites, LbrDepth: 0, Features: PmuFeatures.Pdcm);

    public static readonly IReadOnlyList<SwitchPlacement> Placements = new[]
    {
        SwitchPlacement.Exit, SwitchPlacement.RunLoop, SwitchPlacement.VcpuLoad, SwitchPlacement.Owned, SwitchPlacement.DirtyOnly,
    };

    public static string PlacementName(SwitchPlacement placement) => placement switch
    {
        SwitchPlacement.Exit => "exit",
        SwitchPlacement.RunLoop => "run-loop",
        SwitchPlacement.VcpuLoad => "vcpu-load",
        SwitchPlacement.Owned => "owned",
        SwitchPlacement.DirtyOnly => "dirty-only",
        _ => placement.ToString(),
    };

    public static string WorkloadName(ComparisonWorkload workload) => workload switch
    {
        ComparisonWorkload.PerfStat => "perf stat (8 events, host contention)",
        ComparisonWorkload.PerfRecord => "perf record -F 1000 (6 events)",
        ComparisonWorkload.Multiplex => "multiplexing (10 events, 8 counters)",
        ComparisonWorkload.IdleGuestBusyHost => "idle guest, busy host",
        _ => workload.ToString(),
    };

    /// <summary>Runs every workload on the legacy design and on each placement.</summary>
    public static ComparisonTable Run(PmuCaps? host = null, int milliseconds = 50, Cost.CostTable? costs = null, bool includeLegacy = true)
    {
        var caps = host ?? DefaultHost;
        var table = costs ?? new Cost.CostTable();
        var rows = new List<ComparisonRow>();
        foreach (ComparisonWorkload workload in Enum.GetValues<ComparisonWorkload>())
        {
            if (includeLegacy)
            {
                rows.Add(Measure(workload, new LegacyBackend(caps, table), milliseconds));
            }

            foreach (var placement in Placements)
            {
                rows.Add(Measure(workload, new MediatedBackend(caps, placement, table), milliseconds));
            }
        }

        return new ComparisonTable(caps, milliseconds, rows);
    }

    private static ComparisonRow Measure(ComparisonWorkload workload, IComparisonBackend backend, int milliseconds)
    {
        int gp = backend.Guest.GpCounters;
        ulong allGp = Bits.LowOnes(gp);
        ulong counterMask = backend.Guest.GpCounterMask;
        ulong rearm = (counterMask - InstructionsPerMs + 1) & counterMask;
        double guestAccuracy = 100, hostAccuracy = 100;
        ulong guestInstructions = 0;
        int hostEvents = 0;
        switch (workload)
        {
            case ComparisonWorkload.PerfStat:
            {
                hostEvents = 2;
                backend.OpenHostEvents(hostEvents);
                for (int i = 0; i < gp; i++)
                {
                    backend.GuestProgram(i, interrupt: false, startValue: 0);
                }

                backend.GuestGlobalEnable(allGp);
                for (int ms = 0; ms < milliseconds; ms++)
                {
                    backend.GuestRun(InstructionsPerMs);
                    guestInstructions += InstructionsPerMs;
                    backend.Exits(fastpath: 20, slow: 5);
                    backend.HostRun(InstructionsPerMs / 20);
                }

                // The mean over the guest's counters of what each counted against what ran.
                double sum = 0;
                for (int i = 0; i < gp; i++)
                {
                    sum += 100.0 * backend.GuestReadCounter(i) / guestInstructions;
                }

                guestAccuracy = sum / gp;

                break;
            }

            case ComparisonWorkload.PerfRecord:
            case ComparisonWorkload.Multiplex:
            {
                int sampling = workload == ComparisonWorkload.PerfRecord ? 6 : gp;
                ulong mask = Bits.LowOnes(sampling);
                for (int i = 0; i < sampling; i++)
                {
                    backend.GuestProgram(i, interrupt: true, startValue: rearm);
                }

                backend.GuestGlobalEnable(allGp);
                long before = backend.GuestPmisInjected;
                for (int ms = 0; ms < milliseconds; ms++)
                {
                    if (workload == ComparisonWorkload.Multiplex && ms % 4 == 3)
                    {
                        // perf's mux hrtimer in the guest: disable, reprogram every counter, enable.
                        backend.GuestGlobalEnable(0);
                        for (int i = 0; i < sampling; i++)
                        {
                            backend.GuestProgram(i, interrupt: true, startValue: rearm);
                        }

                        backend.GuestGlobalEnable(allGp);
                    }

                    long pmis = backend.GuestPmisInjected;
                    backend.GuestRun(InstructionsPerMs);
                    guestInstructions += InstructionsPerMs;
                    if (backend.GuestPmisInjected > pmis)
                    {
                        backend.GuestPmiHandler(mask, rearm);
                    }

                    backend.Exits(fastpath: 20, slow: 5);
                }

                // One sample interrupt per millisecond is what a bare-metal PMU would raise.
                guestAccuracy = 100.0 * (backend.GuestPmisInjected - before) / milliseconds;
                break;
            }

            case ComparisonWorkload.IdleGuestBusyHost:
            {
                hostEvents = 2;
                backend.OpenHostEvents(hostEvents);
                for (int ms = 0; ms < milliseconds; ms++)
                {
                    backend.GuestRun(InstructionsPerMs / 10);
                    guestInstructions += InstructionsPerMs / 10;
                    backend.Exits(fastpath: 4, slow: 1);
                    backend.HostRun(InstructionsPerMs * 9 / 10);
                }

                break;
            }
        }

        var m = backend.Measures();
        if (hostEvents > 0 && m.HostWorkCycles > 0)
        {
            double sum = 0;
            for (int e = 0; e < hostEvents; e++)
            {
                sum += 100.0 * backend.HostEventCount(e) / m.HostWorkCycles;
            }

            hostAccuracy = sum / hostEvents;
        }

        double exits = Math.Max(1, m.Exits);
        return new ComparisonRow(
            workload,
            backend.Design,
            m.Exits,
            m.Switches,
            m.Switches == 0 ? 0 : (double)m.Ops.Total / m.Switches,
            m.Ops.Total / exits,
            m.HostCycles / exits,
            m.GuestCycles == 0 ? 0 : 100.0 * m.HostCycles / m.GuestCycles,
            guestInstructions == 0 ? 100 : guestAccuracy,
            hostAccuracy,
            m.HostWorkCycles == 0 ? 0 : 100.0 * m.HostBlindCycles / m.HostWorkCycles);
    }
}

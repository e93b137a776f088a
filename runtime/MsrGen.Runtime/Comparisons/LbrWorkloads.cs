using System;
using MsrGen.Registers;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Comparisons;

/// <summary>The workloads debated around Wei Wang, "[PATCH v2 6/8] perf/x86/intel/lbr: guest requesting KVM for lbr stack save/restore", LKML, 2018-09-06.</summary>
public enum LbrWorkload : byte
{
    /// <summary>Guest perf in user call-stack mode with frequent guest context switches; vCPU preempted now and then.</summary>
    CallstackSwitching,
    /// <summary>A guest that used the LBR once and stopped, then sits idle across vCPU switches.</summary>
    UsedOnceThenIdle,
    /// <summary>A PMI-heavy branch-sampling guest that clears and sets DEBUGCTL.LBR in its handler.</summary>
    PmiHeavyToggling,
    /// <summary>A host thread runs between the guest clearing DEBUGCTL.LBR and reading the stack.</summary>
    HostThreadInWindow,
}

/// <summary>Deterministic scripts for <see cref="LbrWorkload"/>, run on an <see cref="LbrWorld"/>.</summary>
public static class LbrWorkloads
{
    /// <summary>Branches of a short host thread slice: 0.5 M cycles, well inside the timer window.</summary>
    public const ulong ShortHostSlice = 100_000;

    /// <summary>Branches of a long host thread slice: 40 M cycles (≈13 ms at 3 GHz), longer than the default window.</summary>
    public const ulong LongHostSlice = 8_000_000;

    public static string NameOf(LbrWorkload workload) => workload switch
    {
        LbrWorkload.CallstackSwitching => "callstack + guest context switches",
        LbrWorkload.UsedOnceThenIdle => "used once, then idle",
        LbrWorkload.PmiHeavyToggling => "PMI-heavy, DEBUGCTL.LBR toggled",
        _ => "host thread between clear and read",
    };

    public static string ShortNameOf(LbrWorkload workload) => workload switch
    {
        LbrWorkload.CallstackSwitching => "callstack",
        LbrWorkload.UsedOnceThenIdle => "idle",
        LbrWorkload.PmiHeavyToggling => "pmi-toggle",
        _ => "window",
    };

    /// <summary>Runs <paramref name="workload"/> on a fresh world for <paramref name="strategy"/>; returns the world.</summary>
    public static LbrWorld Run(LbrWorkload workload, LbrStrategyKind strategy, in PmuCaps host, long? timerWindow = null)
    {
        var world = LbrWorld.Create(strategy, host, pvFeature: true, timerWindow);
        Run(workload, world);
        return world;
    }

    public static void Run(LbrWorkload workload, LbrWorld world)
    {
        ArgumentNullException.ThrowIfNull(world);
        var guest = world.Guest;
        switch (workload)
        {
            case LbrWorkload.CallstackSwitching:
                guest.EnableUserCallstack();
                for (int i = 0; i < 32; i++)
                {
                    world.GuestBranches(20);
                    if (i % 2 == 0)
                    {
                        guest.BeginPmi();
                        guest.Read();
                    }

                    guest.ContextSwitch();
                    if (i % 4 == 3)
                    {
                        world.HostThreadBranches(ShortHostSlice);
                    }
                }

                break;

            case LbrWorkload.UsedOnceThenIdle:
                guest.EnableUserCallstack();
                world.GuestBranches(64);
                guest.Read();
                guest.ContextSwitch();
                world.GuestBranches(32);
                guest.Disable();
                world.Metrics.Reset();
                for (int i = 0; i < 16; i++)
                {
                    world.Idle(3_000_000);
                    world.HostThreadBranches(ShortHostSlice);
                }

                break;

            case LbrWorkload.PmiHeavyToggling:
                guest.EnableSampling();
                for (int i = 0; i < 64; i++)
                {
                    world.GuestBranches(12);
                    guest.BeginPmi();
                    guest.Read();
                    if (i % 8 == 7)
                    {
                        world.HostThreadBranches(ShortHostSlice / 2);
                    }
                }

                break;

            default:
                guest.EnableUserCallstack();
                world.GuestBranches(40);
                guest.ContextSwitch();
                world.GuestBranches(40);
                guest.ContextSwitch();
                for (int i = 0; i < 8; i++)
                {
                    world.GuestBranches(24);
                    guest.BeginContextSwitch();
                    world.HostThreadBranches(LongHostSlice);
                    guest.FinishContextSwitch();
                }

                break;
        }

        guest.CompletePending();
    }
}
